/**
 * Child process of the load test: holds the WebSocket clients (real `ws` clients, each authorized
 * with a token of its user in `?token=`) and records every notification frame they receive, in a
 * process of its own so that they do not distort the stack's memory.
 */
import { getStage } from '../../infra/stages';
import { issueStageToken } from '../../src/tooling/stage-tokens';
import { WebSocket } from 'ws';
import { loadUserId, userOfConnection, type FleetMessage, type FleetPlan, type FleetReport, type FleetRequest } from './load-protocol';

const MAX_ERRORS_KEPT = 20;

const sockets: WebSocket[] = [];
const received: [number, string][] = [];
const errors: string[] = [];
let errorCount = 0;
let unexpectedFrames = 0;
let closing = false;

function send(message: FleetMessage): void {
  process.send?.(message);
}

function error(text: string): void {
  errorCount += 1;
  if (errors.length < MAX_ERRORS_KEPT) errors.push(text);
}

function open(index: number, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      resolve(ok);
    };
    socket.on('open', () => {
      sockets.push(socket);
      settle(true);
    });
    socket.on('unexpected-response', (_request, response) => {
      error(`connection ${index}: handshake refused with ${response.statusCode ?? 0}`);
      socket.terminate();
      settle(false);
    });
    socket.on('error', (cause) => {
      error(`connection ${index}: ${cause.message}`);
      settle(false);
    });
    socket.on('close', (code) => {
      if (!closing && settled) error(`connection ${index}: closed by the server with ${code}`);
      settle(false);
    });
    socket.on('message', (data: Buffer) => {
      try {
        const frame = JSON.parse(data.toString()) as { type?: unknown; id?: unknown };
        if (frame.type === 'notification' && typeof frame.id === 'string') received.push([index, frame.id]);
        else unexpectedFrames += 1;
      } catch {
        unexpectedFrames += 1;
      }
    });
  });
}

async function connect(plan: FleetPlan): Promise<void> {
  const started = performance.now();
  const stage = getStage('local');
  const tokens = new Map<number, string>();
  for (let user = 0; user < plan.users; user += 1) tokens.set(user, await issueStageToken(stage, { userId: loadUserId(user), ttlSeconds: 3600 }));
  const total = plan.users * plan.connectionsPerUser;
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (next < total) {
        const index = next;
        next += 1;
        const token = tokens.get(userOfConnection(index, plan.users)) ?? '';
        if (!(await open(index, `${plan.websocketUrl}?token=${token}`))) failed += 1;
      }
    }),
  );
  send({ type: 'connected', open: sockets.length, failed, durationMs: performance.now() - started });
}

function report(): FleetReport {
  const open = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
  const kept = errorCount > errors.length ? [...errors, `… and ${errorCount - errors.length} more`] : [...errors];
  return { open, received: [...received], unexpectedFrames, errors: kept };
}

async function closeAll(): Promise<void> {
  closing = true;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000, 'load test over');
        }),
    ),
  );
  send({ type: 'closed' });
  process.disconnect?.();
}

process.on('message', (request: FleetRequest) => {
  if (request.type === 'connect') void connect(request.plan);
  else if (request.type === 'report') send({ type: 'report', report: report() });
  else if (request.type === 'close') void closeAll();
});
process.on('disconnect', () => {
  closing = true;
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
