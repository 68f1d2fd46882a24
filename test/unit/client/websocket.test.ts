import { WebSocket as WsWebSocket } from 'ws';
import { NotifyClient } from '../../../src/client/notify-client';
import { globalWebSocket, type WebSocketConstructor } from '../../../src/client/websocket';

describe('WebSocket implementations', () => {
  // Type-checked: the ws package's WebSocket and the browser's (DOM) WebSocket both fit the client.
  const wsPackage: WebSocketConstructor = WsWebSocket;
  const browser: WebSocketConstructor | undefined = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;

  it('accepts each as the WebSocket option, and opens nothing before start()', () => {
    for (const implementation of [wsPackage, browser ?? wsPackage]) {
      const client = new NotifyClient({ url: 'ws://127.0.0.1:1/local', authMode: 'action', getToken: () => Promise.resolve('t'), WebSocket: implementation });
      expect(client.state).toBe('stopped');
    }
  });

  describe('Function: globalWebSocket', () => {
    const globals = globalThis as { WebSocket?: unknown };
    const original = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');

    afterEach(() => {
      if (original === undefined) delete globals.WebSocket;
      else Object.defineProperty(globalThis, 'WebSocket', original);
    });

    it('is globalThis.WebSocket, looked up when called', () => {
      globals.WebSocket = wsPackage;
      expect(globalWebSocket()).toBe(wsPackage);
      delete globals.WebSocket;
      expect(globalWebSocket()).toBeUndefined();
    });
  });
});
