import type { Context } from 'aws-lambda';
import { lambdaEntry, createFunctionLogger } from '../../../src/commons/lambda-entry';
import { REDACTED } from '../../../src/commons/redaction';
import { authorizedConnectEvent, authorizerEvent, messageEvent } from '../helpers/events';
import { captureLogs, type CapturedLogs } from '../helpers/logs';
import { createTestKeys } from '../helpers/tokens';
import { anyString, like } from '../helpers/matchers';

describe('Class: RedactingLogFormatter (through createLogger)', () => {
  let logs: CapturedLogs;
  let token: string;

  beforeAll(async () => {
    token = await (await createTestKeys()).sign();
  });

  beforeEach(() => {
    logs = captureLogs();
  });

  afterEach(() => {
    logs.restore();
  });

  it('never prints the token of a logged $connect event (query string, multi-value query string)', () => {
    // Prepare: the captured event carries a JWT in both query string maps.
    const event = authorizedConnectEvent();
    const secret = (event.queryStringParameters as Record<string, string>).token;

    // Act
    logs.logger.info('Lambda invocation event', { event });

    // Assess
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).not.toContain(secret);
    const [entry] = logs.entries();
    expect(entry).toEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Lambda invocation event',
        service: 'ws-notify',
        event: like({
          queryStringParameters: { token: REDACTED },
          multiValueQueryStringParameters: { token: REDACTED },
          requestContext: like({ connectionId: 'B4LtEdmSoAMCKjw=' }),
        }),
      }),
    );
  });

  it('never prints the token of an authorizer event', () => {
    logs.logger.debug('event', { event: authorizerEvent(token) });

    expect(logs.lines.join('\n')).not.toContain(token);
    expect(logs.lines.join('\n')).toContain(REDACTED);
  });

  it('never prints the token of an authorize message body', () => {
    logs.logger.info('message', { event: messageEvent(JSON.stringify({ action: 'authorize', token })) });

    expect(logs.lines.join('\n')).not.toContain(token);
    expect(logs.lines.join('\n')).toContain(`\\"token\\":\\"${REDACTED}\\"`);
  });

  it('never prints a token inside a logged URL, message text or persistent key', () => {
    logs.logger.appendPersistentKeys({ lastUrl: `wss://abc.example.com/prod?token=${token}` });
    logs.logger.warn(`client sent ${token}`, { url: `https://x.example/cb?token=${token}&a=1` });

    const output = logs.lines.join('\n');
    expect(output).not.toContain(token);
    expect(logs.entries()[0]).toEqual(
      expect.objectContaining({ level: 'WARN', message: `client sent ${REDACTED}`, url: `https://x.example/cb?token=${REDACTED}&a=1` }),
    );
  });

  it('never prints a token held in an error message, its stack or its cause', () => {
    const error = new Error(`verification of ${token} failed`, { cause: new Error(`inner ${token}`) });

    logs.logger.error('failed', { error });
    logs.logger.error('failed again', error);

    const output = logs.lines.join('\n');
    expect(logs.lines).toHaveLength(2);
    expect(output).not.toContain(token);
    const [first] = logs.entries();
    expect(first?.error).toEqual(
      expect.objectContaining({ name: 'Error', message: `verification of ${REDACTED} failed`, location: anyString() }),
    );
  });
});

describe('Function: lambdaEntry', () => {
  let logs: CapturedLogs;

  beforeEach(() => {
    logs = captureLogs();
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
  });

  afterEach(() => {
    logs.restore();
    delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  });

  it('adds the Lambda context and logs the event redacted when POWERTOOLS_LOGGER_LOG_EVENT is true', async () => {
    // Prepare
    const logger = createFunctionLogger({ STAGE: 'test' });
    const handler = lambdaEntry(logger, (event: { queryStringParameters: { token: string } }) => {
      logger.info('handled');
      return Promise.resolve(event.queryStringParameters.token.length);
    });
    const context = {
      functionName: 'Ping',
      awsRequestId: 'req-1',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Ping',
      memoryLimitInMB: '128',
    } as unknown as Context;

    // Act
    const result = await handler({ queryStringParameters: { token: 'opaque-secret-value' } }, context);

    // Assess
    expect(result).toBe('opaque-secret-value'.length);
    const output = logs.lines.join('\n');
    expect(output).not.toContain('opaque-secret-value');
    expect(logs.entries()).toEqual([
      expect.objectContaining({ message: 'Lambda invocation event', stage: 'test', event: { queryStringParameters: { token: REDACTED } } }),
      expect.objectContaining({ message: 'handled', function_name: 'Ping', function_request_id: 'req-1' }),
    ]);
  });
});
