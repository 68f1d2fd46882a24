/**
 * The API Gateway WebSocket events and results ws-notify's functions handle, typed to what AWS
 * sends (Lambda proxy integration; REQUEST authorizer on `$connect`). Only what the handlers
 * read is required; everything else AWS sends is allowed.
 */

export type HeaderMap = Readonly<Record<string, string | undefined>>;
export type MultiValueMap = Readonly<Record<string, readonly string[] | undefined>>;

export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly connectionId: string;
  /** ms since epoch. */
  readonly connectedAt?: number;
  readonly requestId?: string;
  readonly messageId?: string | null;
  readonly requestTimeEpoch?: number;
  readonly stage?: string;
  readonly domainName?: string;
  readonly apiId?: string;
  /** The REQUEST authorizer's context (mode `authorizer`), plus `principalId` and `integrationLatency`. */
  readonly authorizer?: Readonly<Record<string, unknown>> | null;
  readonly disconnectStatusCode?: number | null;
  readonly disconnectReason?: string | null;
  readonly [key: string]: unknown;
}

export interface WebSocketEvent {
  readonly requestContext: WebSocketRequestContext;
  readonly headers?: HeaderMap | null;
  readonly multiValueHeaders?: MultiValueMap | null;
  readonly queryStringParameters?: HeaderMap | null;
  readonly multiValueQueryStringParameters?: MultiValueMap | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly [key: string]: unknown;
}

/** `$connect`. */
export type WebSocketConnectEvent = WebSocketEvent;
/** `$disconnect`. */
export type WebSocketDisconnectEvent = WebSocketEvent;
/** A message routed to `ping`, `authorize`, `resume` or `$default`. */
export type WebSocketMessageEvent = WebSocketEvent;

/** What a route integration returns: the status of `$connect`, or a route response's body. */
export interface RouteResult {
  readonly statusCode: number;
  /** Sent to the client as one text frame when the route has a route response. */
  readonly body?: string;
}

/** Input of a REQUEST authorizer on a WebSocket `$connect` route. */
export interface WebSocketAuthorizerEvent {
  readonly type: 'REQUEST';
  /** `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/$connect`. */
  readonly methodArn: string;
  readonly headers?: HeaderMap | null;
  readonly multiValueHeaders?: MultiValueMap | null;
  readonly queryStringParameters?: HeaderMap | null;
  readonly multiValueQueryStringParameters?: MultiValueMap | null;
  readonly requestContext?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface AuthorizerPolicy {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: '2012-10-17';
    readonly Statement: readonly [{ readonly Action: 'execute-api:Invoke'; readonly Effect: 'Allow' | 'Deny'; readonly Resource: string }];
  };
  /** Allow only: becomes `requestContext.authorizer` on `$connect`. */
  readonly context?: { readonly userId: string; readonly expiresAt: number };
}

/** A header by name, compared case-insensitively as HTTP requires. */
export function getHeader(headers: HeaderMap | null | undefined, name: string): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The message text of a MESSAGE event (base64-decoded when API Gateway says so). */
export function messageText(event: WebSocketMessageEvent): string {
  const body = event.body ?? '';
  return event.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}
