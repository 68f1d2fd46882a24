import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { GatewayClient, translateGatewayError } from '../../../../src/commons/clients/gateway-client';
import { ConnectionGoneError, ForbiddenError, PayloadTooLargeError, TransientError } from '../../../../src/commons/errors';
import { errorFrame } from '../../../../src/commons/frames';
import { dataText } from '../../helpers/data';

const management = mockClient(ApiGatewayManagementApiClient);
const metadata = { $metadata: {} };

function client(): GatewayClient {
  return new GatewayClient({ client: new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: 'https://abc.execute-api.us-east-1.amazonaws.com/prod' }) });
}

describe('Class: GatewayClient', () => {
  afterEach(() => {
    management.reset();
  });

  describe('Method: post', () => {
    it('sends a frame as UTF-8 JSON to the connection', async () => {
      management.on(PostToConnectionCommand).resolves({});

      await client().post('c1', errorFrame('authorization_timeout'));

      const input = management.commandCalls(PostToConnectionCommand)[0]?.args[0].input;
      expect(input?.ConnectionId).toBe('c1');
      expect(JSON.parse(dataText(input?.Data))).toEqual(errorFrame('authorization_timeout'));
    });

    it('sends already serialized text unchanged', async () => {
      management.on(PostToConnectionCommand).resolves({});

      await client().post('c1', '{"type":"notification","id":"é","data":1}');

      const data = management.commandCalls(PostToConnectionCommand)[0]?.args[0].input.Data;
      expect(dataText(data)).toBe('{"type":"notification","id":"é","data":1}');
    });

    it.each([
      ['GoneException', () => new GoneException({ message: 'Gone', ...metadata }), ConnectionGoneError],
      ['PayloadTooLargeException', () => new PayloadTooLargeException({ message: 'too large', ...metadata }), PayloadTooLargeError],
      ['ForbiddenException', () => new ForbiddenException({ message: 'no', ...metadata }), ForbiddenError],
      ['LimitExceededException', () => new LimitExceededException({ message: 'slow down', ...metadata }), TransientError],
      [
        'a 5xx service exception',
        () =>
          new ApiGatewayManagementApiServiceException({
            name: 'InternalServerErrorException',
            $fault: 'server',
            message: 'internal',
            $metadata: { httpStatusCode: 500 },
          }),
        TransientError,
      ],
      ['a network error', () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), TransientError],
    ])('translates %s into a domain error with the SDK error as cause', async (_label, makeError, expected) => {
      const sdkError = makeError();
      management.on(PostToConnectionCommand).rejects(sdkError);

      const error = await client()
        .post('c1', errorFrame('internal_error'))
        .catch((reason: unknown) => reason);

      expect(error).toBeInstanceOf(expected);
      expect((error as Error).cause).toBe(sdkError);
    });

    it('recognises GoneException by class, not by status code', () => {
      // A 410 that is not a GoneException (e.g. from a proxy) is not treated as gone.
      const other = new ApiGatewayManagementApiServiceException({ name: 'Other', $fault: 'client', $metadata: { httpStatusCode: 410 } });

      expect(translateGatewayError(other, 'c1', 'PostToConnection')).toBeInstanceOf(TransientError);
      expect(translateGatewayError(new GoneException({ message: 'Gone', ...metadata }), 'c1', 'PostToConnection')).toEqual(
        expect.objectContaining({ name: 'ConnectionGoneError', connectionId: 'c1', code: 'connection_gone' }),
      );
      expect(translateGatewayError('weird', 'c1', 'PostToConnection').message).toBe('PostToConnection to c1 failed (weird)');
    });
  });

  describe('Method: delete', () => {
    it('deletes the connection', async () => {
      management.on(DeleteConnectionCommand).resolves({});

      await client().delete('c1');

      expect(management.commandCalls(DeleteConnectionCommand)[0]?.args[0].input).toEqual({ ConnectionId: 'c1' });
    });

    it('translates GoneException', async () => {
      management.on(DeleteConnectionCommand).rejects(new GoneException({ message: 'Gone', ...metadata }));

      await expect(client().delete('c1')).rejects.toBeInstanceOf(ConnectionGoneError);
    });
  });

  describe('Method: connectionExists', () => {
    it('answers true while GetConnection answers', async () => {
      management.on(GetConnectionCommand).resolves({ ConnectedAt: new Date(0) });

      await expect(client().connectionExists('c1')).resolves.toBe(true);
      expect(management.commandCalls(GetConnectionCommand)[0]?.args[0].input).toEqual({ ConnectionId: 'c1' });
    });

    it('answers false for a connection that is gone (410)', async () => {
      management.on(GetConnectionCommand).rejects(new GoneException({ message: 'Gone', ...metadata }));

      await expect(client().connectionExists('c1')).resolves.toBe(false);
    });

    it('translates any other failure', async () => {
      management.on(GetConnectionCommand).rejects(new ForbiddenException({ message: 'Forbidden', ...metadata }));

      await expect(client().connectionExists('c1')).rejects.toBeInstanceOf(ForbiddenError);
    });
  });

  describe('Method: fromCallbackUrl', () => {
    it('builds one SDK client for the callback URL', async () => {
      management.on(PostToConnectionCommand).resolves({});
      const gateway = GatewayClient.fromCallbackUrl('http://127.0.0.1:3001/local');

      await gateway.post('c1', 'x');

      expect(management.commandCalls(PostToConnectionCommand)).toHaveLength(1);
    });
  });
});
