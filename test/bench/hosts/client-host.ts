/**
 * A process that holds many idle WebSocket clients, so that the server whose memory is measured
 * and the clients never share a process. Started with RpcChild.start; see ClientHostApi.
 */
import { WebSocket } from 'ws';
import { serveRpc } from '../lib/rpc';
import { closeClients, openClients } from '../lib/ws-load';
import type { OpenParams, OpenResult } from './client-host-api';

const sockets: WebSocket[] = [];

async function open(params: OpenParams): Promise<OpenResult> {
  const urls = Array.from({ length: params.count }, (_, i) => params.urls[i % params.urls.length] ?? '');
  const started = performance.now();
  const opened = await openClients(urls, params.concurrency);
  const durationMs = performance.now() - started;
  sockets.push(...opened);
  return { opened: opened.length, durationMs, open: sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length };
}

async function closeAll(): Promise<{ closed: number }> {
  const all = sockets.splice(0);
  await closeClients(all, 10_000);
  return { closed: all.length };
}

serveRpc({
  open,
  closeAll,
  close: async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    return Promise.resolve();
  },
});
