/**
 * Reads the template's Lambda functions: the code the runtime runs, which is the function's asset
 * as the template names it (`aws:asset:path`), the handler, the environment (intrinsics kept, see
 * resolve-intrinsics.ts), timeout, memory and reserved concurrency.
 */
import path from 'node:path';
import { type FunctionModel, type TemplateValue } from './stack-model';
import { type ResourceTypeSpec, type TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

const FUNCTION = 'AWS::Lambda::Function';

export const FUNCTION_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  [FUNCTION]: {
    read: ['Handler', 'Environment', 'Timeout', 'MemorySize', 'ReservedConcurrentExecutions', 'Runtime'],
    awsOnly: [
      'Architectures',
      'Code',
      'Description',
      'FunctionName',
      'LoggingConfig',
      'Role',
      'Tags',
      'TracingConfig',
      'KmsKeyArn',
      'RuntimeManagementConfig',
      'EphemeralStorage',
    ],
  },
};

/** Lambda's defaults (CloudFormation). */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

/**
 * The asset metadata the CDK writes when context `aws:cdk:enable-asset-metadata` is set (the `cdk`
 * CLI sets it): the asset's path, absolute when asset staging is disabled (as the local runtime
 * synthesizes), else relative to the cloud assembly directory; and which property the asset is.
 */
const ASSET_PATH_METADATA_KEY = 'aws:asset:path';
const ASSET_PROPERTY_METADATA_KEY = 'aws:asset:property';

/** Every function of the template by name (its `ws-notify:name`, else its logical id), which must be unique. */
export function readFunctions(resources: TemplateResources, assemblyDirectory: string | undefined): Record<string, FunctionModel> {
  const functions: Record<string, FunctionModel> = {};
  for (const id of resources.ids(FUNCTION)) {
    const fn = readFunction(resources, id, assemblyDirectory);
    const other = functions[fn.name];
    if (other !== undefined) {
      throw resources.error(id, 'invalid_template', `function name ${fn.name} is also the name of ${other.logicalId}: the local runtime names functions by it`);
    }
    functions[fn.name] = fn;
  }
  return functions;
}

/** The directory of the function's code asset, absolute. */
function codeDirectory(resources: TemplateResources, id: string, assemblyDirectory: string | undefined): string {
  const assetPath = resources.metadata(id, ASSET_PATH_METADATA_KEY);
  if (typeof assetPath !== 'string' || assetPath === '' || resources.metadata(id, ASSET_PROPERTY_METADATA_KEY) !== 'Code') {
    throw resources.error(
      id,
      'missing_resource',
      `no ${ASSET_PATH_METADATA_KEY} metadata for its Code: synthesize with asset metadata (context aws:cdk:enable-asset-metadata), as the cdk CLI does`,
    );
  }
  if (path.isAbsolute(assetPath)) return assetPath;
  if (assemblyDirectory === undefined) {
    throw resources.error(id, 'missing_resource', `${ASSET_PATH_METADATA_KEY} ${assetPath} is relative to a cloud assembly directory that was not given`);
  }
  return path.resolve(assemblyDirectory, assetPath);
}

function readFunction(resources: TemplateResources, id: string, assemblyDirectory: string | undefined): FunctionModel {
  const props = resources.props(id);
  const runtime = props.Runtime;
  if (typeof runtime !== 'string' || !runtime.startsWith('nodejs')) {
    throw resources.error(id, 'unsupported_property', `Runtime ${String(runtime)}: only Node.js functions are run locally`);
  }
  const handler = resources.string(id, 'Handler');
  const dot = handler.lastIndexOf('.');
  const handlerModule = handler.slice(0, dot);
  const handlerExport = handler.slice(dot + 1);
  if (dot <= 0 || handlerExport === '') throw resources.error(id, 'invalid_template', `Handler ${handler} is not <file>.<export>`);
  const code = codeDirectory(resources, id, assemblyDirectory);
  const environment = props.Environment;
  let variables: Record<string, TemplateValue> = {};
  if (environment !== undefined) {
    if (!isRecord(environment) || Object.keys(environment).some((key) => key !== 'Variables') || (environment.Variables !== undefined && !isRecord(environment.Variables))) {
      throw resources.error(id, 'invalid_template', 'Environment must be { Variables: { … } }');
    }
    variables = { ...environment.Variables };
  }
  return {
    logicalId: id,
    name: resources.nameOf(id),
    codeDirectory: code,
    handlerModule,
    handlerExport,
    environment: variables,
    timeoutSeconds: resources.optionalNumber(id, 'Timeout') ?? DEFAULT_TIMEOUT_SECONDS,
    memorySizeMb: resources.optionalNumber(id, 'MemorySize') ?? DEFAULT_MEMORY_MB,
    reservedConcurrency: resources.optionalNumber(id, 'ReservedConcurrentExecutions'),
  };
}
