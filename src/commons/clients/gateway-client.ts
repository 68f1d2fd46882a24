/**
 * The API Gateway Management API (`@connections`) over the SDK client, built once from the
 * stage's callback URL. SDK exceptions are translated here, by class, into domain errors:
 * GoneException → ConnectionGoneError, PayloadTooLargeException → PayloadTooLargeError,
 * ForbiddenException → ForbiddenError, throttling / 5xx / network → TransientError.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConnectionGoneError, ForbiddenError, PayloadTooLargeError, TransientError } from '../errors';
import { serializeFrame, type ServerFrame } from '../frames';
import { SDK_CLIENT_CONFIG } from './sdk-client-config';

export interface GatewayClientOptions {
  readonly client: ApiGatewayManagementApiClient;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Maps an SDK error of a Management API call on `connectionId` to a domain error. */
export function translateGatewayError(error: unknown, connectionId: string, operation: string): Error {
  if (error instanceof GoneException) return new ConnectionGoneError(connectionId, { cause: error });
  if (error instanceof PayloadTooLargeException) {
    return new PayloadTooLargeError(`${operation} to ${connectionId} refused: payload too large`, { cause: error });
  }
  if (error instanceof ForbiddenException) {
    return new ForbiddenError(`${operation} to ${connectionId} forbidden`, { cause: error });
  }
  if (error instanceof LimitExceededException) {
    return new TransientError(`${operation} to ${connectionId} throttled`, { cause: error });
  }
  // Throttling, 5xx, timeouts and network errors, and anything unexpected: worth a retry.
  return new TransientError(`${operation} to ${connectionId} failed (${describe(error)})`, { cause: error });
}

export class GatewayClient {
  readonly #client: ApiGatewayManagementApiClient;

  constructor(options: GatewayClientOptions) {
    this.#client = options.client;
  }

  /** A client for the stage's callback URL (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`). */
  static fromCallbackUrl(callbackUrl: string): GatewayClient {
    return new GatewayClient({ client: new ApiGatewayManagementApiClient({ ...SDK_CLIENT_CONFIG, endpoint: callbackUrl }) });
  }

  /** Sends a frame (or already serialized text) to the connection. */
  async post(connectionId: string, frame: ServerFrame | string): Promise<void> {
    const text = typeof frame === 'string' ? frame : serializeFrame(frame);
    try {
      await this.#client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(text, 'utf8') }));
    } catch (error) {
      throw translateGatewayError(error, connectionId, 'PostToConnection');
    }
  }

  /**
   * True while the connection is open (GetConnection answers), false once it is gone (410). Any
   * other failure is thrown, translated like the other calls.
   */
  async connectionExists(connectionId: string): Promise<boolean> {
    try {
      await this.#client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      return true;
    } catch (error) {
      if (error instanceof GoneException) return false;
      throw translateGatewayError(error, connectionId, 'GetConnection');
    }
  }

  /** Closes the connection (API Gateway closes it with code 1000 and runs `$disconnect`). */
  async delete(connectionId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      throw translateGatewayError(error, connectionId, 'DeleteConnection');
    }
  }
}
