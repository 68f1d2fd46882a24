/**
 * ws-notify/client: the browser (and Node.js) client of ws-notify. Zero dependencies; the
 * WebSocket implementation is injectable. Guide: docs/client.md.
 */
export { NotifyClient, type ClientStats } from './notify-client';
export type { NotifyClientOptions, AuthMode, TokenRequest, ConnectionLimits } from './options';
export type { ClientState, Notification, NotifyClientEvents } from './events';
export { NotifyClientError, type NotifyErrorCode, type ProtocolErrorCode, type ClientErrorCode } from './errors';
export { LocalStorageCursorStore, MemoryCursorStore, type CursorStore, type StorageLike } from './cursor-store';
export type { WebSocketConstructor, WebSocketLike, WebSocketMessageEvent } from './websocket';
export type { RandomSource } from './backoff';
