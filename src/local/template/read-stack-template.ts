/**
 * Reads a synthesized ws-notify template into the StackModel the local runtime is built from.
 *
 * Every resource type is either read (the WebSocket API and its routes, integrations, route
 * responses, authorizer and stage; functions; tables; queues; event source mappings), or listed in
 * AWS_ONLY_RESOURCE_TYPES as mattering only on AWS (IAM, logs, alarms, permissions, …). Any other
 * type, or a property of a read resource that the runtime cannot honour, is a StackTemplateError
 * that names the resource and its type: the runtime refuses to start rather than emulate a stack
 * that differs from what would be deployed.
 */
import {
  type AuthorizerModel,
  type EventSourceMappingModel,
  type FunctionModel,
  type IndexModel,
  type KeySchemaModel,
  type QueueModel,
  type RouteModel,
  type StackModel,
  type TableModel,
  type TemplateValue,
  type WebSocketApiModel,
} from './stack-model';
import { type CfnResource, type CfnTemplate } from './cfn-template';
import { ENTRY_METADATA_KEY, QUEUE_NAME_METADATA_KEY } from '../../../infra/template-metadata';
import { StackTemplateError } from './template-errors';


/** Resource types that only matter on AWS: the local runtime skips them. */
export const AWS_ONLY_RESOURCE_TYPES: readonly string[] = [
  'AWS::CDK::Metadata',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::ApiGatewayV2::Deployment',
  'AWS::ApiGateway::Account',
];

/** Per resource type: the properties the runtime honours, and those that only matter on AWS. Any other property is an error. */
const PROPERTIES: Readonly<Record<string, { readonly read: readonly string[]; readonly awsOnly: readonly string[] }>> = {
  'AWS::ApiGatewayV2::Api': {
    read: ['Name', 'ProtocolType', 'RouteSelectionExpression'],
    awsOnly: ['Description', 'Tags', 'DisableSchemaValidation', 'DisableExecuteApiEndpoint', 'IpAddressType', 'ApiKeySelectionExpression'],
  },
  'AWS::ApiGatewayV2::Route': {
    read: ['ApiId', 'RouteKey', 'Target', 'AuthorizationType', 'AuthorizerId', 'RouteResponseSelectionExpression', 'ApiKeyRequired'],
    awsOnly: ['OperationName'],
  },
  'AWS::ApiGatewayV2::Integration': {
    read: ['ApiId', 'IntegrationType', 'IntegrationUri'],
    awsOnly: ['Description', 'IntegrationMethod', 'CredentialsArn', 'PayloadFormatVersion'],
  },
  'AWS::ApiGatewayV2::RouteResponse': { read: ['ApiId', 'RouteId', 'RouteResponseKey'], awsOnly: [] },
  'AWS::ApiGatewayV2::Authorizer': {
    read: ['ApiId', 'AuthorizerType', 'AuthorizerUri', 'IdentitySource'],
    awsOnly: ['Name', 'AuthorizerCredentialsArn'],
  },
  'AWS::ApiGatewayV2::Stage': {
    read: ['ApiId', 'StageName'],
    awsOnly: ['AccessLogSettings', 'AutoDeploy', 'DefaultRouteSettings', 'RouteSettings', 'Description', 'Tags', 'DeploymentId'],
  },
  'AWS::Lambda::Function': {
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
  'AWS::Lambda::EventSourceMapping': {
    read: ['FunctionName', 'EventSourceArn', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'Enabled'],
    awsOnly: ['Tags', 'MetricsConfig'],
  },
  'AWS::SQS::Queue': {
    read: ['QueueName', 'VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod', 'RedrivePolicy'],
    awsOnly: ['SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'Tags', 'RedriveAllowPolicy'],
  },
  'AWS::DynamoDB::GlobalTable': {
    read: ['TableName', 'KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification'],
    awsOnly: ['BillingMode', 'Replicas', 'SSESpecification', 'WriteProvisionedThroughputSettings', 'WriteOnDemandThroughputSettings', 'WarmThroughput'],
  },
  'AWS::DynamoDB::Table': {
    read: ['TableName', 'KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification'],
    awsOnly: [
      'BillingMode',
      'ProvisionedThroughput',
      'OnDemandThroughput',
      'PointInTimeRecoverySpecification',
      'DeletionProtectionEnabled',
      'SSESpecification',
      'ContributorInsightsSpecification',
      'TableClass',
      'Tags',
      'WarmThroughput',
      'ResourcePolicy',
    ],
  },
};

/** Template sections the runtime does not need; `Transform` (macros) cannot be honoured. */
const TEMPLATE_SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Resources', 'Outputs']);

/** Lambda's defaults (CloudFormation) and SQS event source mapping defaults. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_SQS_BATCH_SIZE = 10;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

export interface ReadStackTemplateOptions {
  /** @default the stack name in the resources' `aws:cdk:path` metadata, else `'stack'` */
  readonly stackName?: string;
}

/**
 * The StackModel of a synthesized template, or a StackTemplateError naming the first resource the
 * local runtime cannot emulate.
 *
 * @example
 * const { stackName, template } = synthesizeStackTemplate({ stage: getStage('local') });
 * const model = readStackTemplate(template, { stackName });
 * model.api.routes; // [{ routeKey: '$connect', functionId: 'Connect', returnResponse: false }, …]
 */
export function readStackTemplate(template: unknown, options: ReadStackTemplateOptions = {}): StackModel {
  return new TemplateReader(asTemplate(template)).read(options);
}

class TemplateReader {
  private readonly resources: ReadonlyMap<string, CfnResource>;

  constructor(private readonly template: CfnTemplate) {
    this.resources = new Map(Object.entries(template.Resources));
  }

  read(options: ReadStackTemplateOptions): StackModel {
    const byType = new Map<string, string[]>();
    for (const [logicalId, resource] of this.resources) {
      if (AWS_ONLY_RESOURCE_TYPES.includes(resource.Type)) continue;
      const spec = PROPERTIES[resource.Type];
      if (spec === undefined) {
        throw new StackTemplateError('UNSUPPORTED_RESOURCE_TYPE', 'the local runtime cannot emulate this resource type', logicalId, resource.Type);
      }
      if (resource.Condition !== undefined) {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', `Condition ${resource.Condition}: conditions are not evaluated locally`, logicalId, resource.Type);
      }
      for (const property of Object.keys(resource.Properties ?? {})) {
        if (!spec.read.includes(property) && !spec.awsOnly.includes(property)) {
          throw new StackTemplateError('UNSUPPORTED_PROPERTY', `property ${property} cannot be honoured locally`, logicalId, resource.Type);
        }
      }
      byType.set(resource.Type, [...(byType.get(resource.Type) ?? []), logicalId]);
    }
    const ids = (type: string) => byType.get(type) ?? [];

    const functions: Record<string, FunctionModel> = {};
    for (const id of ids('AWS::Lambda::Function')) functions[id] = this.function(id);
    const tables: Record<string, TableModel> = {};
    for (const id of [...ids('AWS::DynamoDB::GlobalTable'), ...ids('AWS::DynamoDB::Table')]) tables[id] = this.table(id);
    const queues: Record<string, QueueModel> = {};
    for (const id of ids('AWS::SQS::Queue')) queues[id] = this.queue(id);
    const eventSourceMappings = ids('AWS::Lambda::EventSourceMapping')
      .map((id) => this.eventSourceMapping(id))
      .filter((mapping): mapping is EventSourceMappingModel => mapping !== undefined);

    const outputs: Record<string, TemplateValue> = {};
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) outputs[name] = output.Value;

    return {
      stackName: options.stackName ?? this.stackNameFromMetadata() ?? 'stack',
      api: this.api(byType),
      functions,
      tables,
      queues,
      eventSourceMappings,
      outputs,
    };
  }

  // --- API Gateway -------------------------------------------------------------------------

  private api(byType: ReadonlyMap<string, readonly string[]>): WebSocketApiModel {
    const apis = byType.get('AWS::ApiGatewayV2::Api') ?? [];
    if (apis.length !== 1) {
      throw new StackTemplateError('MISSING_RESOURCE', `the local runtime emulates exactly one WebSocket API; the template has ${apis.length}`);
    }
    const apiId = apis[0]!;
    const props = this.props(apiId);
    const type = 'AWS::ApiGatewayV2::Api';
    if (props.ProtocolType !== 'WEBSOCKET') {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', `ProtocolType ${String(props.ProtocolType)}: only WEBSOCKET APIs are emulated`, apiId, type);
    }
    const routeSelectionExpression = this.string(apiId, 'RouteSelectionExpression');

    const forThisApi = (id: string) => {
      const ref = refOf(this.props(id).ApiId);
      if (ref !== apiId) {
        throw new StackTemplateError('UNRESOLVED_REFERENCE', `ApiId must be a Ref to ${apiId}`, id, this.resource(id).Type);
      }
      return true;
    };

    const stages = (byType.get('AWS::ApiGatewayV2::Stage') ?? []).filter(forThisApi);
    if (stages.length !== 1) {
      throw new StackTemplateError('MISSING_RESOURCE', `the WebSocket API must have exactly one stage; it has ${stages.length}`, apiId, type);
    }
    const stageName = this.string(stages[0]!, 'StageName');

    const responses = new Set<string>();
    for (const id of (byType.get('AWS::ApiGatewayV2::RouteResponse') ?? []).filter(forThisApi)) {
      const routeId = this.reference(id, 'RouteId', 'AWS::ApiGatewayV2::Route');
      if (this.string(id, 'RouteResponseKey') !== '$default') {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'RouteResponseKey must be $default', id, 'AWS::ApiGatewayV2::RouteResponse');
      }
      responses.add(routeId);
    }

    let authorizer: AuthorizerModel | undefined;
    const routes: RouteModel[] = [];
    const routeKeys = new Set<string>();
    for (const id of (byType.get('AWS::ApiGatewayV2::Route') ?? []).filter(forThisApi)) {
      const routeType = 'AWS::ApiGatewayV2::Route';
      const props = this.props(id);
      const routeKey = this.string(id, 'RouteKey');
      if (routeKeys.has(routeKey)) throw new StackTemplateError('INVALID_TEMPLATE', `route ${routeKey} is defined twice`, id, routeType);
      routeKeys.add(routeKey);
      if (props.ApiKeyRequired === true) {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'ApiKeyRequired: API keys are not emulated', id, routeType);
      }
      const authorizationType = props.AuthorizationType ?? 'NONE';
      if (authorizationType === 'CUSTOM') {
        if (routeKey !== '$connect') {
          throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'an authorizer is only possible on $connect', id, routeType);
        }
        authorizer = this.authorizer(this.reference(id, 'AuthorizerId', 'AWS::ApiGatewayV2::Authorizer'));
      } else if (authorizationType !== 'NONE') {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', `AuthorizationType ${JSON.stringify(authorizationType)} is not emulated`, id, routeType);
      }
      const expression = props.RouteResponseSelectionExpression;
      if (expression !== undefined && expression !== '$default') {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'RouteResponseSelectionExpression must be $default', id, routeType);
      }
      routes.push({
        routeKey,
        functionId: this.integrationFunction(id),
        returnResponse: expression === '$default' && responses.has(id),
      });
    }
    return { logicalId: apiId, name: this.string(apiId, 'Name'), routeSelectionExpression, routes, stageName, ...(authorizer ? { authorizer } : {}) };
  }

  /** The function behind a route's `integrations/<id>` target. */
  private integrationFunction(routeId: string): string {
    const target = this.props(routeId).Target;
    const integrationId = findReference(target, (id) => this.resources.get(id)?.Type === 'AWS::ApiGatewayV2::Integration');
    if (integrationId === undefined) {
      throw new StackTemplateError('UNRESOLVED_REFERENCE', 'Target must be integrations/<Ref to an AWS::ApiGatewayV2::Integration>', routeId, 'AWS::ApiGatewayV2::Route');
    }
    const type = 'AWS::ApiGatewayV2::Integration';
    if (this.props(integrationId).IntegrationType !== 'AWS_PROXY') {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'only Lambda proxy (AWS_PROXY) integrations are emulated', integrationId, type);
    }
    return this.lambdaInUri(integrationId, 'IntegrationUri', type);
  }

  private authorizer(id: string): AuthorizerModel {
    const type = 'AWS::ApiGatewayV2::Authorizer';
    const props = this.props(id);
    if (props.AuthorizerType !== 'REQUEST') {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', `AuthorizerType ${String(props.AuthorizerType)}: only REQUEST authorizers are emulated`, id, type);
    }
    const identitySource = props.IdentitySource ?? [];
    if (!Array.isArray(identitySource) || !identitySource.every((source): source is string => typeof source === 'string')) {
      throw new StackTemplateError('INVALID_TEMPLATE', 'IdentitySource must be a list of strings', id, type);
    }
    for (const source of identitySource) {
      if (!/^route\.request\.(querystring|header)\.[^.]+$/.test(source)) {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', `IdentitySource ${source}: only route.request.querystring.* and route.request.header.* are emulated`, id, type);
      }
    }
    return { logicalId: id, functionId: this.lambdaInUri(id, 'AuthorizerUri', type), identitySource };
  }

  /** The AWS::Lambda::Function whose `Fn::GetAtt [X, Arn]` appears in an integration or authorizer URI. */
  private lambdaInUri(id: string, property: string, type: string): string {
    const functionId = findGetAttArn(this.props(id)[property], (logicalId) => this.resources.get(logicalId)?.Type === 'AWS::Lambda::Function');
    if (functionId === undefined) {
      throw new StackTemplateError('UNRESOLVED_REFERENCE', `${property} must invoke a Lambda function of this template`, id, type);
    }
    return functionId;
  }

  // --- Lambda ------------------------------------------------------------------------------

  private function(id: string): FunctionModel {
    const type = 'AWS::Lambda::Function';
    const props = this.props(id);
    const runtime = props.Runtime;
    if (typeof runtime !== 'string' || !runtime.startsWith('nodejs')) {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', `Runtime ${String(runtime)}: only Node.js functions are run locally`, id, type);
    }
    const entry = this.resource(id).Metadata?.[ENTRY_METADATA_KEY];
    if (typeof entry !== 'string' || entry === '') {
      throw new StackTemplateError('MISSING_RESOURCE', `no ${ENTRY_METADATA_KEY} metadata: the local runtime cannot tell which TypeScript file to run`, id, type);
    }
    const handler = this.string(id, 'Handler');
    const handlerExport = handler.slice(handler.lastIndexOf('.') + 1);
    if (handlerExport === '' || handlerExport === handler) {
      throw new StackTemplateError('INVALID_TEMPLATE', `Handler ${handler} is not <file>.<export>`, id, type);
    }
    const environment = props.Environment;
    let variables: Record<string, TemplateValue> = {};
    if (environment !== undefined) {
      if (!isObject(environment) || Object.keys(environment).some((key) => key !== 'Variables') || (environment.Variables !== undefined && !isObject(environment.Variables))) {
        throw new StackTemplateError('INVALID_TEMPLATE', 'Environment must be { Variables: { … } }', id, type);
      }
      variables = { ...(environment.Variables) };
    }
    const reserved = this.optionalNumber(id, 'ReservedConcurrentExecutions');
    return {
      logicalId: id,
      entry,
      handlerExport,
      environment: variables,
      timeoutSeconds: this.optionalNumber(id, 'Timeout') ?? DEFAULT_TIMEOUT_SECONDS,
      memorySizeMb: this.optionalNumber(id, 'MemorySize') ?? DEFAULT_MEMORY_MB,
      ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    };
  }

  private eventSourceMapping(id: string): EventSourceMappingModel | undefined {
    const type = 'AWS::Lambda::EventSourceMapping';
    const props = this.props(id);
    if (props.Enabled === false) return undefined; // a disabled mapping polls nothing, here as on AWS
    const functionId =
      refOf(props.FunctionName) ?? findGetAttArn(props.FunctionName, (logicalId) => this.resources.get(logicalId)?.Type === 'AWS::Lambda::Function');
    if (functionId === undefined || this.resources.get(functionId)?.Type !== 'AWS::Lambda::Function') {
      throw new StackTemplateError('UNRESOLVED_REFERENCE', 'FunctionName must be a Ref (or Arn) of a function of this template', id, type);
    }
    const queueId = getAttOf(props.EventSourceArn, 'Arn');
    if (queueId === undefined || this.resources.get(queueId)?.Type !== 'AWS::SQS::Queue') {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'EventSourceArn must be the Arn of an SQS queue of this template', id, type);
    }
    const responseTypes = props.FunctionResponseTypes ?? [];
    if (!Array.isArray(responseTypes) || responseTypes.some((value) => value !== 'ReportBatchItemFailures')) {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'FunctionResponseTypes may only hold ReportBatchItemFailures', id, type);
    }
    const scaling = props.ScalingConfig;
    let maximumConcurrency: number | undefined;
    if (scaling !== undefined) {
      if (!isObject(scaling) || Object.keys(scaling).some((key) => key !== 'MaximumConcurrency') || typeof scaling.MaximumConcurrency !== 'number') {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'ScalingConfig may only set MaximumConcurrency (a number)', id, type);
      }
      maximumConcurrency = scaling.MaximumConcurrency;
    }
    return {
      logicalId: id,
      functionId,
      queueId,
      batchSize: this.optionalNumber(id, 'BatchSize') ?? DEFAULT_SQS_BATCH_SIZE,
      maximumBatchingWindowSeconds: this.optionalNumber(id, 'MaximumBatchingWindowInSeconds') ?? 0,
      reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
      ...(maximumConcurrency !== undefined ? { maximumConcurrency } : {}),
    };
  }

  // --- SQS ---------------------------------------------------------------------------------

  private queue(id: string): QueueModel {
    const type = 'AWS::SQS::Queue';
    const props = this.props(id);
    const name = this.resource(id).Metadata?.[QUEUE_NAME_METADATA_KEY];
    let redrive: QueueModel['redrive'];
    if (props.RedrivePolicy !== undefined) {
      let policy: unknown = props.RedrivePolicy;
      if (typeof policy === 'string') {
        try {
          policy = JSON.parse(policy);
        } catch (error) {
          throw new StackTemplateError('INVALID_TEMPLATE', 'RedrivePolicy is not valid JSON', id, type, { cause: error });
        }
      }
      const deadLetterQueueId = isObject(policy) ? getAttOf(policy.deadLetterTargetArn, 'Arn') : undefined;
      if (!isObject(policy) || deadLetterQueueId === undefined || this.resources.get(deadLetterQueueId)?.Type !== type) {
        throw new StackTemplateError('UNSUPPORTED_PROPERTY', 'RedrivePolicy.deadLetterTargetArn must be the Arn of a queue of this template', id, type);
      }
      const maxReceiveCount = Number(policy.maxReceiveCount);
      if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
        throw new StackTemplateError('INVALID_TEMPLATE', 'RedrivePolicy.maxReceiveCount must be a positive whole number', id, type);
      }
      redrive = { deadLetterQueueId, maxReceiveCount };
    }
    const queueName = this.optionalString(id, 'QueueName');
    const retention = this.optionalNumber(id, 'MessageRetentionPeriod');
    return {
      logicalId: id,
      name: typeof name === 'string' && name !== '' ? name : id,
      ...(queueName !== undefined ? { queueName } : {}),
      visibilityTimeoutSeconds: this.optionalNumber(id, 'VisibilityTimeout') ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      delaySeconds: this.optionalNumber(id, 'DelaySeconds') ?? 0,
      ...(retention !== undefined ? { messageRetentionSeconds: retention } : {}),
      ...(redrive !== undefined ? { redrive } : {}),
    };
  }

  // --- DynamoDB ----------------------------------------------------------------------------

  private table(id: string): TableModel {
    const type = this.resource(id).Type;
    const props = this.props(id);
    const attributeTypes = new Map<string, 'S' | 'N' | 'B'>();
    const definitions = props.AttributeDefinitions;
    if (!Array.isArray(definitions)) throw new StackTemplateError('INVALID_TEMPLATE', 'AttributeDefinitions must be a list', id, type);
    for (const definition of definitions) {
      if (!isObject(definition) || typeof definition.AttributeName !== 'string' || !['S', 'N', 'B'].includes(definition.AttributeType as string)) {
        throw new StackTemplateError('INVALID_TEMPLATE', 'each AttributeDefinition needs AttributeName and AttributeType S, N or B', id, type);
      }
      attributeTypes.set(definition.AttributeName, definition.AttributeType as 'S' | 'N' | 'B');
    }
    const keySchema = (value: unknown, where: string): KeySchemaModel => {
      if (!Array.isArray(value)) throw new StackTemplateError('INVALID_TEMPLATE', `${where} must be a list`, id, type);
      const key = (keyType: 'HASH' | 'RANGE') => {
        const element = value.find((item) => isObject(item) && item.KeyType === keyType) as Record<string, unknown> | undefined;
        if (element === undefined) return undefined;
        const name = element.AttributeName;
        const attributeType = typeof name === 'string' ? attributeTypes.get(name) : undefined;
        if (typeof name !== 'string' || attributeType === undefined) {
          throw new StackTemplateError('INVALID_TEMPLATE', `${where}: ${String(name)} has no AttributeDefinition`, id, type);
        }
        return { name, type: attributeType };
      };
      const partitionKey = key('HASH');
      if (partitionKey === undefined) throw new StackTemplateError('INVALID_TEMPLATE', `${where} has no HASH key`, id, type);
      const sortKey = key('RANGE');
      return sortKey === undefined ? { partitionKey } : { partitionKey, sortKey };
    };

    const indexes: IndexModel[] = [];
    const gsis = props.GlobalSecondaryIndexes ?? [];
    if (!Array.isArray(gsis)) throw new StackTemplateError('INVALID_TEMPLATE', 'GlobalSecondaryIndexes must be a list', id, type);
    for (const gsi of gsis) {
      if (!isObject(gsi) || typeof gsi.IndexName !== 'string' || !isObject(gsi.Projection)) {
        throw new StackTemplateError('INVALID_TEMPLATE', 'each GlobalSecondaryIndex needs IndexName, KeySchema and Projection', id, type);
      }
      const projectionType = gsi.Projection.ProjectionType ?? 'KEYS_ONLY';
      if (projectionType !== 'ALL' && projectionType !== 'KEYS_ONLY' && projectionType !== 'INCLUDE') {
        throw new StackTemplateError('INVALID_TEMPLATE', `index ${gsi.IndexName}: ProjectionType ${JSON.stringify(projectionType)}`, id, type);
      }
      const nonKey = gsi.Projection.NonKeyAttributes;
      if (nonKey !== undefined && (!Array.isArray(nonKey) || !nonKey.every((name): name is string => typeof name === 'string'))) {
        throw new StackTemplateError('INVALID_TEMPLATE', `index ${gsi.IndexName}: NonKeyAttributes must be a list of strings`, id, type);
      }
      indexes.push({
        indexName: gsi.IndexName,
        ...keySchema(gsi.KeySchema, `index ${gsi.IndexName} KeySchema`),
        projection: { type: projectionType, ...(nonKey !== undefined ? { nonKeyAttributes: nonKey } : {}) },
      });
    }

    let ttlAttribute: string | undefined;
    const ttl = props.TimeToLiveSpecification;
    if (ttl !== undefined) {
      if (!isObject(ttl)) throw new StackTemplateError('INVALID_TEMPLATE', 'TimeToLiveSpecification must be an object', id, type);
      if (ttl.Enabled === true) {
        if (typeof ttl.AttributeName !== 'string') throw new StackTemplateError('INVALID_TEMPLATE', 'TimeToLiveSpecification needs AttributeName', id, type);
        ttlAttribute = ttl.AttributeName;
      }
    }
    const tableName = this.optionalString(id, 'TableName');
    return {
      logicalId: id,
      ...(tableName !== undefined ? { tableName } : {}),
      ...keySchema(props.KeySchema, 'KeySchema'),
      globalSecondaryIndexes: indexes,
      ...(ttlAttribute !== undefined ? { ttlAttribute } : {}),
    };
  }

  // --- helpers -----------------------------------------------------------------------------

  private resource(id: string): CfnResource {
    const resource = this.resources.get(id);
    if (resource === undefined) throw new StackTemplateError('UNRESOLVED_REFERENCE', `no resource ${id} in the template`);
    return resource;
  }

  private props(id: string): Readonly<Record<string, unknown>> {
    return this.resource(id).Properties ?? {};
  }

  /** A literal string property (an intrinsic is an error: the runtime needs the value now). */
  private string(id: string, property: string): string {
    const value = this.optionalString(id, property);
    if (value === undefined) throw new StackTemplateError('INVALID_TEMPLATE', `${property} is required`, id, this.resource(id).Type);
    return value;
  }

  private optionalString(id: string, property: string): string | undefined {
    const value = this.props(id)[property];
    if (value === undefined || typeof value === 'string') return value;
    throw new StackTemplateError('UNSUPPORTED_PROPERTY', `${property} must be a literal string locally`, id, this.resource(id).Type);
  }

  private optionalNumber(id: string, property: string): number | undefined {
    const value = this.props(id)[property];
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', `${property} must be a literal number locally`, id, this.resource(id).Type);
    }
    return number;
  }

  /** The logical id a property `Ref`s, which must be a resource of `type`. */
  private reference(id: string, property: string, type: string): string {
    const target = refOf(this.props(id)[property]);
    if (target === undefined || this.resources.get(target)?.Type !== type) {
      throw new StackTemplateError('UNRESOLVED_REFERENCE', `${property} must be a Ref to an ${type} of this template`, id, this.resource(id).Type);
    }
    return target;
  }

  private stackNameFromMetadata(): string | undefined {
    for (const resource of this.resources.values()) {
      const path = resource.Metadata?.['aws:cdk:path'];
      if (typeof path === 'string' && path.includes('/')) return path.slice(0, path.indexOf('/'));
    }
    return undefined;
  }
}

function asTemplate(template: unknown): CfnTemplate {
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new StackTemplateError('INVALID_TEMPLATE', 'not a CloudFormation template: no Resources');
  }
  for (const section of Object.keys(template)) {
    if (!TEMPLATE_SECTIONS.has(section)) {
      throw new StackTemplateError('UNSUPPORTED_PROPERTY', `template section ${section} cannot be honoured locally`);
    }
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      throw new StackTemplateError('INVALID_TEMPLATE', 'a resource needs a Type', logicalId);
    }
    if (resource.Properties !== undefined && !isObject(resource.Properties)) {
      throw new StackTemplateError('INVALID_TEMPLATE', 'Properties must be an object', logicalId, resource.Type);
    }
    if (resource.Metadata !== undefined && !isObject(resource.Metadata)) {
      throw new StackTemplateError('INVALID_TEMPLATE', 'Metadata must be an object', logicalId, resource.Type);
    }
  }
  return template as unknown as CfnTemplate;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refOf(value: unknown): string | undefined {
  return isObject(value) && Object.keys(value).length === 1 && typeof value.Ref === 'string' ? value.Ref : undefined;
}

/** `X` of `{ 'Fn::GetAtt': [X, attribute] }` (or `'X.attribute'`). */
function getAttOf(value: unknown, attribute: string): string | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
  const args = value['Fn::GetAtt'];
  if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string' && args[1] === attribute) return args[0];
  if (typeof args === 'string' && args.endsWith(`.${attribute}`)) return args.slice(0, -attribute.length - 1);
  return undefined;
}

/** The first logical id, anywhere inside `value`, that a `Ref` points to and `accept`s. */
function findReference(value: unknown, accept: (logicalId: string) => boolean): string | undefined {
  return findInValue(value, (node) => {
    const ref = refOf(node);
    return ref !== undefined && accept(ref) ? ref : undefined;
  });
}

/** The first logical id, anywhere inside `value`, whose `Arn` is taken with Fn::GetAtt and that `accept`s. */
function findGetAttArn(value: unknown, accept: (logicalId: string) => boolean): string | undefined {
  return findInValue(value, (node) => {
    const id = getAttOf(node, 'Arn');
    return id !== undefined && accept(id) ? id : undefined;
  });
}

function findInValue(value: unknown, match: (node: unknown) => string | undefined): string | undefined {
  const found = match(value);
  if (found !== undefined) return found;
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  for (const child of children) {
    const inChild = findInValue(child, match);
    if (inChild !== undefined) return inChild;
  }
  return undefined;
}
