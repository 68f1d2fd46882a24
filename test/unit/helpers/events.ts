/**
 * Typed factories over the captured AWS event fixtures (test/fixtures/events): each returns a
 * deep copy of the fixture with the given changes, so tests never share mutable events.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import authorizerRequest from '../../fixtures/events/authorizer-request.json';
import connectAuthorized from '../../fixtures/events/connect-authorized.json';
import connect from '../../fixtures/events/connect.json';
import disconnect from '../../fixtures/events/disconnect.json';
import message from '../../fixtures/events/message.json';
import sqsBatch from '../../fixtures/events/sqs-batch.json';
import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketMessageEvent,
} from '../../../src/commons/websocket-events';

const copy = <T>(value: T): T => structuredClone(value);

export const CONNECTION_ID = connect.requestContext.connectionId;
export const CONNECTED_AT = connect.requestContext.connectedAt;

/** `$connect` without an authorizer (mode `action`), from `Origin: https://app.example.com`. */
export function connectEvent(options: { connectionId?: string; headers?: Record<string, string> } = {}): WebSocketConnectEvent {
  const event = copy(connect);
  if (options.headers !== undefined) {
    event.headers = options.headers as typeof event.headers;
    event.multiValueHeaders = Object.fromEntries(Object.entries(options.headers).map(([k, v]) => [k, [v]])) as typeof event.multiValueHeaders;
  }
  if (options.connectionId !== undefined) event.requestContext.connectionId = options.connectionId;
  return event as WebSocketConnectEvent;
}

/** `$connect` after the REQUEST authorizer allowed it (mode `authorizer`). */
export function authorizedConnectEvent(authorizer: Record<string, unknown> | null = connectAuthorized.requestContext.authorizer): WebSocketConnectEvent {
  const event = copy(connectAuthorized) as unknown as { requestContext: Record<string, unknown> };
  if (authorizer === null) delete event.requestContext.authorizer;
  else event.requestContext.authorizer = authorizer;
  return event as unknown as WebSocketConnectEvent;
}

export const AUTHORIZED_CONNECTION_ID = connectAuthorized.requestContext.connectionId;
export const AUTHORIZED_CONTEXT = connectAuthorized.requestContext.authorizer;

/** A MESSAGE event with that body (text as the client sent it). */
export function messageEvent(body: string | undefined, options: { routeKey?: string; connectionId?: string } = {}): WebSocketMessageEvent {
  const event = copy(message) as { body?: string; requestContext: { routeKey: string; connectionId: string } };
  if (body === undefined) delete event.body;
  else event.body = body;
  if (options.routeKey !== undefined) event.requestContext.routeKey = options.routeKey;
  if (options.connectionId !== undefined) event.requestContext.connectionId = options.connectionId;
  return event as unknown as WebSocketMessageEvent;
}

export function disconnectEvent(connectionId: string = CONNECTION_ID): WebSocketDisconnectEvent {
  const event = copy(disconnect);
  event.requestContext.connectionId = connectionId;
  return event as WebSocketDisconnectEvent;
}

/** The REQUEST authorizer's input with `?token=` set (or no query string at all when undefined). */
export function authorizerEvent(token: string | undefined): WebSocketAuthorizerEvent {
  const event = copy(authorizerRequest) as unknown as Record<string, unknown>;
  if (token === undefined) {
    event.queryStringParameters = null;
    event.multiValueQueryStringParameters = null;
  } else {
    event.queryStringParameters = { token };
    event.multiValueQueryStringParameters = { token: [token] };
  }
  return event as unknown as WebSocketAuthorizerEvent;
}

export const METHOD_ARN = authorizerRequest.methodArn;

let sequence = 0;

/** An SQS record carrying that body; a fresh message id unless given. */
export interface SqsRecordOptions {
  readonly messageId?: string;
  readonly eventSourceARN?: string;
  /** The record's SentTimestamp attribute (epoch ms); the captured record's otherwise. */
  readonly sentTimestamp?: number;
  /** String message attributes. */
  readonly messageAttributes?: Readonly<Record<string, string>>;
}

export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  const [template] = copy(sqsBatch).Records;
  sequence += 1;
  const record = template as SQSRecord;
  return {
    ...record,
    body,
    messageId: options.messageId ?? `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    ...(options.eventSourceARN === undefined ? {} : { eventSourceARN: options.eventSourceARN }),
    ...(options.sentTimestamp === undefined ? {} : { attributes: { ...record.attributes, SentTimestamp: String(options.sentTimestamp) } }),
    ...(options.messageAttributes === undefined
      ? {}
      : {
          messageAttributes: Object.fromEntries(
            Object.entries(options.messageAttributes).map(([name, value]) => [name, { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] }]),
          ),
        }),
  };
}

export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** The fixture batch as captured. */
export function capturedSqsEvent(): SQSEvent {
  return copy<SQSEvent>(sqsBatch);
}
