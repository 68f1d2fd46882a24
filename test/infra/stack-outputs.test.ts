import { endpointsFromStackOutputs, StackOutputsError } from '../../infra/stack-outputs';

/** Outputs as `cdk deploy --outputs-file` writes them for WsNotify-prod. */
const deployedOutputs = {
  WebSocketUrl: 'wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod',
  CallbackUrl: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod',
  ConnectionsTableName: 'WsNotify-prod-ConnectionsTable-1ABCDEF',
  AuthMode: 'authorizer',
  NotifyUserQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-NotifyUserQueue-X',
  NotifyUserDeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-NotifyUserDeadLetterQueue-X',
  NotifyConnectionQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-NotifyConnectionQueue-X',
  NotifyConnectionDeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-NotifyConnectionDeadLetterQueue-X',
  AuthorizeDeadlineQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-AuthorizeDeadlineQueue-X',
  AuthorizeDeadlineDeadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/WsNotify-prod-AuthorizeDeadlineDeadLetterQueue-X',
};

describe('Function: endpointsFromStackOutputs', () => {
  it('turns the stack outputs into the endpoints file of the deployed stage', () => {
    // Act
    const endpoints = endpointsFromStackOutputs('prod', deployedOutputs);

    // Assess
    expect(endpoints).toEqual({
      stage: 'prod',
      authMode: 'authorizer',
      websocketUrl: deployedOutputs.WebSocketUrl,
      managementApiUrl: deployedOutputs.CallbackUrl,
      tableName: deployedOutputs.ConnectionsTableName,
      queues: {
        NotifyUser: deployedOutputs.NotifyUserQueueUrl,
        NotifyUserDeadLetter: deployedOutputs.NotifyUserDeadLetterQueueUrl,
        NotifyConnection: deployedOutputs.NotifyConnectionQueueUrl,
        NotifyConnectionDeadLetter: deployedOutputs.NotifyConnectionDeadLetterQueueUrl,
        AuthorizeDeadline: deployedOutputs.AuthorizeDeadlineQueueUrl,
        AuthorizeDeadlineDeadLetter: deployedOutputs.AuthorizeDeadlineDeadLetterQueueUrl,
      },
    });
  });

  it.each([
    ['WebSocketUrl', 'the stack outputs have no WebSocketUrl'],
    ['NotifyConnectionQueueUrl', 'the stack outputs have no NotifyConnectionQueueUrl'],
    ['AuthMode', 'the stack outputs have no AuthMode'],
  ])('refuses outputs without %s', (missing, message) => {
    // Prepare
    const outputs: Record<string, string> = { ...deployedOutputs };
    delete outputs[missing];

    // Act & Assess
    expect(() => endpointsFromStackOutputs('prod', outputs)).toThrow(new StackOutputsError(message));
  });

  it('refuses an auth mode it does not know', () => {
    expect(() => endpointsFromStackOutputs('prod', { ...deployedOutputs, AuthMode: 'none' })).toThrow('the stack output AuthMode is "none"');
  });
});
