import { createLocalIntrinsicContext } from '../../../../src/local/template/local-intrinsic-context';
import { type IntrinsicContext, isIntrinsic, resolveIntrinsics, resolveToString } from '../../../../src/local/template/resolve-intrinsics';
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
    resolveIntrinsics(value, context, where);
  } catch (error) {
    if (error instanceof IntrinsicResolutionError) return error;
    throw error;
  }
  throw new Error('resolveIntrinsics did not throw');
}

describe('Function: resolveIntrinsics', () => {
  it('returns plain values as they are, and copies objects and lists', () => {
    // Prepare
    const value = { a: ['x', 1, true, null], b: { c: 'd' } };

    // Act
    const resolved = resolveIntrinsics(value, context);

    // Assess
    expect(resolved).toEqual(value);
    expect(resolved).not.toBe(value);
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
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] }, 'aws'],
    ['Fn::Select with a string index', { 'Fn::Select': ['0', ['first', 'second']] }, 'first'],
    ['Fn::Sub with pseudo parameters and attributes', { 'Fn::Sub': '${AWS::Region}/${Table}/${Queue.QueueName}' }, 'us-east-1/connections/Queue'],
    ['Fn::Sub with variables and an escaped ${!Literal}', { 'Fn::Sub': ['${Name}-${!Literal}', { Name: { Ref: 'Table' } }] }, 'connections-${Literal}'],
    ['Fn::Join nested in Fn::Join', { 'Fn::Join': ['', ['<', { 'Fn::Join': ['-', ['a', 'b']] }, '>']] }, '<a-b>'],
  ])('resolves %s', (_case, value, expected) => {
    expect(resolveIntrinsics(value, context)).toBe(expected);
  });

  it('drops a property or list element that is Ref AWS::NoValue', () => {
    expect(resolveIntrinsics({ keep: 'x', drop: { Ref: 'AWS::NoValue' }, list: ['a', { Ref: 'AWS::NoValue' }] }, context)).toEqual({ keep: 'x', list: ['a'] });
  });

  it("renders the emulated API's callback and WebSocket URLs with their local origins", () => {
    // Act & Assess
    expect(resolveIntrinsics(callbackUrl('local'), context)).toBe('http://127.0.0.1:3001/local');
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['wss://', { Ref: 'WebSocketApi' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/local']] }, context)).toBe('ws://127.0.0.1:3001/local');
    expect(resolveIntrinsics({ 'Fn::Sub': 'https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' }, context)).toBe('http://127.0.0.1:3001');
  });

  it('leaves the execute-api URL of an API it does not emulate alone', () => {
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['https://zzzzzzzzzz.execute-api.', { Ref: 'AWS::Region' }, '.amazonaws.com/prod']] }, context)).toBe(
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
    ['an Fn::Select out of range', { 'Fn::Select': [2, ['a', 'b']] }, 'malformed_intrinsic', 'Ping.Environment.Variables.TABLE: Fn::Select: index 2 is outside the list of 2'],
    ['an object inside Fn::Join', { 'Fn::Join': ['', ['a', { b: 1 }]] }, 'malformed_intrinsic', 'Ping.Environment.Variables.TABLE.Fn::Join[1][1]: Fn::Join: expects a string, got an object'],
  ])('refuses %s, naming it and where it is', (_case, value, code, message) => {
    // Act
    const error = resolutionError({ Variables: { TABLE: value } }, 'Ping.Environment');

    // Assess
    expect(error.code).toBe(code);
    expect(error.message).toBe(message.replace('Ping.Environment.Variables.TABLE', 'Ping.Environment.Variables.TABLE'));
  });

  it('finds an unsupported intrinsic nested inside a supported one', () => {
    expect(resolutionError({ 'Fn::Join': ['', ['a', { 'Fn::Base64': 'b' }]] }, 'Outputs.X').message).toBe('Outputs.X.Fn::Join[1][1]: Fn::Base64: not supported by the local runtime');
  });
});

describe('Function: resolveToString', () => {
  it('refuses a value that resolves to a list', () => {
    expect(() => resolveToString({ 'Fn::Split': [',', 'a,b'] }, context, 'Outputs.List')).toThrow('Outputs.List: Fn::Split: resolves to a list, not a string');
  });
});

describe('Function: isIntrinsic', () => {
  it.each([
    [{ Ref: 'X' }, true],
    [{ 'Fn::Join': ['', []] }, true],
    [{ Ref: 'X', Other: 1 }, false],
    [{ Variables: {} }, false],
    ['Ref', false],
    [['Ref'], false],
  ])('tells %j apart (%s)', (value, expected) => {
    expect(isIntrinsic(value)).toBe(expected);
  });
});

describe('Function: createLocalIntrinsicContext', () => {
  it('needs a local value for every table and queue of the model', () => {
    // Prepare
    const model: StackModel = {
      stackName: 'S',
      api: { logicalId: 'Api', name: 'a', routeSelectionExpression: '$request.body.action', routes: [], stageName: 's' },
      functions: {},
      tables: {},
      queues: { WorkQueue: { logicalId: 'WorkQueue', name: 'Work', visibilityTimeoutSeconds: 30, delaySeconds: 0 } },
      eventSourceMappings: [],
      outputs: {},
    };

    // Act & Assess
    expect(() => createLocalIntrinsicContext(model, { apiId: 'x', gateway: { http: 'http://h', ws: 'ws://h' }, tableNames: {}, queueUrls: {} })).toThrow('no local queue URL for WorkQueue');
  });
});
