/**
 * Reads the template's Lambda functions: the code the runtime runs, the handler export, the
 * environment (intrinsics kept, see resolve-intrinsics.ts), timeout, memory and reserved concurrency.
 */
import { ENTRY_METADATA_KEY } from '../../../infra/template-metadata';
import { type FunctionModel, type TemplateValue } from './stack-model';
import { StackTemplateError } from './template-errors';
import { isObject, type ResourceTypeSpec, type TemplateResources } from './template-resources';

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

/** Every function of the template by logical id. */
export function readFunctions(resources: TemplateResources): Record<string, FunctionModel> {
  const functions: Record<string, FunctionModel> = {};
  for (const id of resources.ids(FUNCTION)) functions[id] = readFunction(resources, id);
  return functions;
}

function readFunction(resources: TemplateResources, id: string): FunctionModel {
  const props = resources.props(id);
  const runtime = props.Runtime;
  if (typeof runtime !== 'string' || !runtime.startsWith('nodejs')) {
    throw new StackTemplateError('UNSUPPORTED_PROPERTY', `Runtime ${String(runtime)}: only Node.js functions are run locally`, id, FUNCTION);
  }
  const entry = resources.metadata(id, ENTRY_METADATA_KEY);
  if (typeof entry !== 'string' || entry === '') {
    throw new StackTemplateError('MISSING_RESOURCE', `no ${ENTRY_METADATA_KEY} metadata: the local runtime cannot tell which TypeScript file to run`, id, FUNCTION);
  }
  const handler = resources.string(id, 'Handler');
  const handlerExport = handler.slice(handler.lastIndexOf('.') + 1);
  if (handlerExport === '' || handlerExport === handler) {
    throw new StackTemplateError('INVALID_TEMPLATE', `Handler ${handler} is not <file>.<export>`, id, FUNCTION);
  }
  const environment = props.Environment;
  let variables: Record<string, TemplateValue> = {};
  if (environment !== undefined) {
    if (!isObject(environment) || Object.keys(environment).some((key) => key !== 'Variables') || (environment.Variables !== undefined && !isObject(environment.Variables))) {
      throw new StackTemplateError('INVALID_TEMPLATE', 'Environment must be { Variables: { … } }', id, FUNCTION);
    }
    variables = { ...environment.Variables };
  }
  const reserved = resources.optionalNumber(id, 'ReservedConcurrentExecutions');
  return {
    logicalId: id,
    entry,
    handlerExport,
    environment: variables,
    timeoutSeconds: resources.optionalNumber(id, 'Timeout') ?? DEFAULT_TIMEOUT_SECONDS,
    memorySizeMb: resources.optionalNumber(id, 'MemorySize') ?? DEFAULT_MEMORY_MB,
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
  };
}
