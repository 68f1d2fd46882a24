/**
 * The part of the WebSocket API the client uses. The browser's WebSocket, Node.js's global one
 * (Node.js 22 and later) and the `ws` package's all fit it.
 */

export interface WebSocketMessageEvent {
  readonly data: unknown;
}

export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEvent) => void): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const CONNECTING = 0;
export const OPEN = 1;

/** `globalThis.WebSocket`, when this runtime has one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as unknown as { WebSocket?: WebSocketConstructor }).WebSocket;
}
