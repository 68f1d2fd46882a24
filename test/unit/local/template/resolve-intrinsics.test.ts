import { createLocalIntrinsicContext } from '../../../../src/local/template/local-intrinsic-context';
import { type IntrinsicContext, resolveToString } from '../../../../src/local/template/resolve-intrinsics';
import { type StackModel } from '../../../../src/local/template/stack-model';
import { IntrinsicResolutionError } from '../../../../src/local/template/template-errors';

const context: IntrinsicContext = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'WsNotify-local',
  resources: {
    WebSocketApi: { ref: 'a1b2c3d4e5', attributes: { ApiEndpoint: 'ws://127.0.0.1:3001' } },
    Queue: { ref: 'http://127.0.0.1:9324/000000000000/Queue', attributes: { Arn: 'arn:aws:sqs:us-east-1:000000000000:Queue', QueueName: 'Queue' } },
    Table: { ref: 'connections', attributes: { Arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/connections' } },
  },
  executeApiEndpoints: { a1b2c3d4e5: { https: 'http://127.0.0.1:3001', wss: 'ws://127.0.0.1:3001' } },
};

/** The callback URL exactly as aws-cdk-lib's WebSocketStage.callbackUrl synthesizes it. */
const callbackUrl = (stage: string) => ({
  'Fn::Join': ['', ['https://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${stage}`]],
});

function resolutionError(value: unknown, where?: string): IntrinsicResolutionError {
  try {
    resolveToString(value, context, where);
  } catch (error) {
    if (error instanceof IntrinsicResolutionError) return error;
    throw error;
  }
  throw new Error('resolveToString did not throw');
}

describe('Function: resolveToString', () => {
  it('returns a string as it is, and a number or boolean as a string', () => {
    // Act & Assess
    expect(resolveToString('x', context)).toBe('x');
    expect(resolveToString(5, context)).toBe('5');
    expect(resolveToString(true, context)).toBe('true');
  });

  it.each([
    ['Ref of a resource', { Ref: 'Table' }, 'connections'],
    ['Ref AWS::Region', { Ref: 'AWS::Region' }, 'us-east-1'],
    ['Ref AWS::AccountId', { Ref: 'AWS::AccountId' }, '000000000000'],
    ['Ref AWS::Partition', { Ref: 'AWS::Partition' }, 'aws'],
    ['Ref AWS::URLSuffix', { Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    ['Ref AWS::StackName', { Ref: 'AWS::StackName' }, 'WsNotify-local'],
    ['Ref AWS::StackId', { Ref: 'AWS::StackId' }, 'arn:aws:cloudformation:us-east-1:000000000000:stack/WsNotify-local/local'],
    ['Fn::GetAtt as a list', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:us-east-1:000000000000:Queue'],
    ['Fn::GetAtt as a dotted string', { 'Fn::GetAtt': 'Queue.QueueName' }, 'Queue'],
    ['Fn::Join', { 'Fn::Join': ['/', ['a', { Ref: 'Table' }, 3]] }, 'a/connections/3'],
    ['Fn::Sub with pseudo parameters and attributes', { 'Fn::Sub': '${AWS::Region}/${Table}/${Queue.QueueName}' }, 'us-east-1/connections/Queue'],
    ['Fn::Sub with variables and an escaped ${!Literal}', { 'Fn::Sub': ['${Name}-${!Literal}', { Name: { Ref: 'Table' } }] }, 'connections-${Literal}'],
    ['Fn::Join nested in Fn::Join', { 'Fn::Join': ['', ['<', { 'Fn::Join': ['-', ['a', 'b']] }, '>']] }, '<a-b>'],
  ])('resolves %s', (_case, value, expected) => {
    expect(resolveToString(value, context)).toBe(expected);
  });

  it("renders the emulated API's callback and WebSocket URLs with their local origins", () => {
    // Act & Assess
    expect(resolveToString(callbackUrl('local'), context)).toBe('http://127.0.0.1:3001/local');
    expect(resolveToString({ 'Fn::Join': ['', ['wss://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/local']] }, context)).toBe('ws://127.0.0.1:3001/local');
    expect(resolveToString({ 'Fn::Sub': 'https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' }, context)).toBe('http://127.0.0.1:3001');
  });

  it('leaves the execute-api URL of an API it does not emulate alone', () => {
    expect(resolveToString({ 'Fn::Join': ['', ['https://zzzzzzzzzz.execute-api.', { Ref: 'AWS::Region' }, '.amazonaws.com/prod']] }, context)).toBe(
      'https://zzzzzzzzzz.execute-api.us-east-1.amazonaws.com/prod',
    );
  });

  it.each([
    ['Fn::ImportValue', { 'Fn::ImportValue': 'SharedTable' }, 'unsupported_intrinsic', 'Ping.Environment.Variables.TABLE: Fn::ImportValue: not supported by the local runtime'],
    ['Fn::If', { 'Fn::If': ['IsProd', 'a', 'b'] }, 'unsupported_intrinsic', 'Ping.Environment.Variables.TABLE: Fn::If: not supported by the local runtime'],
    ['a Ref to an unknown logical id', { Ref: 'Bucket' }, 'unknown_reference', 'Ping.Environment.Variables.TABLE: Ref: Bucket has no local value'],
    ['an unsupported pseudo parameter', { Ref: 'AWS::NotificationARNs' }, 'unknown_reference', 'Ping.Environment.Variables.TABLE: Ref: pseudo parameter AWS::NotificationARNs is not supported'],
    ['an unknown attribute', { 'Fn::GetAtt': ['Table', 'StreamArn'] }, 'unknown_attribute', 'Ping.Environment.Variables.TABLE: Fn::GetAtt: Table.StreamArn has no local value'],
    ['an unknown ${} in Fn::Sub', { 'Fn::Sub': 'x-${Bucket}' }, 'unknown_reference', 'Ping.Environment.Variables.TABLE: Fn::Sub: Bucket has no local value'],
    ['a malformed Fn::Join', { 'Fn::Join': ['-'] }, 'malformed_intrinsic', 'Ping.Environment.Variables.TABLE: Fn::Join: expects [delimiter, list]'],
    ['Fn::Select', { 'Fn::Select': [0, ['a', 'b']] }, 'unsupported_intrinsic', 'Ping.Environment.Variables.TABLE: Fn::Select: not supported by the local runtime'],
    ['Ref AWS::NoValue', { Ref: 'AWS::NoValue' }, 'unknown_reference', 'Ping.Environment.Variables.TABLE: Ref: pseudo parameter AWS::NoValue is not supported'],
    ['an object inside Fn::Join', { 'Fn::Join': ['', ['a', { b: 1 }]] }, 'malformed_intrinsic', 'Ping.Environment.Variables.TABLE.Fn::Join[1][1]: value: resolves to an object, not a string'],
    ['a list', ['a', 'b'], 'malformed_intrinsic', 'Ping.Environment.Variables.TABLE: value: resolves to a list, not a string'],
  ])('refuses %s, naming it and where it is', (_case, value, code, message) => {
    // Act
    const error = resolutionError(value, 'Ping.Environment.Variables.TABLE');

    // Assess
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('finds an unsupported intrinsic nested inside a supported one', () => {
    expect(resolutionError({ 'Fn::Join': ['', ['a', { 'Fn::Base64': 'b' }]] }, 'Outputs.X').message).toBe('Outputs.X.Fn::Join[1][1]: Fn::Base64: not supported by the local runtime');
  });
});

describe('Function: createLocalIntrinsicContext', () => {
  it("gives the model's tables, queues, functions and API their local values", () => {
    // Prepare
    const model: StackModel = {
      stackName: 'S',
      api: { logicalId: 'Api', name: 'a', routeSelectionExpression: '$request.body.action', routes: [], stageName: 's' },
      functions: {},
      tables: {},
      queues: { WorkQueue: { logicalId: 'WorkQueue', name: 'Work', visibilityTimeoutSeconds: 30, delaySeconds: 0 } },
      eventSourceMappings: [],
    };

    // Act
    const local = createLocalIntrinsicContext(model, {
      apiId: 'x',
      gateway: { http: 'http://h', ws: 'ws://h' },
      tableNames: { Table: 'connections' },
      queueUrls: { WorkQueue: 'http://127.0.0.1:9324/000000000000/Work' },
    });

    // Assess
    expect(resolveToString({ 'Fn::Sub': '${Table} ${Table.Arn} ${WorkQueue.QueueName} ${WorkQueue.Arn} ${Api}' }, local)).toBe(
      'connections arn:aws:dynamodb:us-east-1:000000000000:table/connections Work arn:aws:sqs:us-east-1:000000000000:Work x',
    );
  });
});
