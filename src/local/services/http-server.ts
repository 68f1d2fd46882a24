import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedServiceError } from './service-errors';

/** Listens on host:port (0 = any free port) and resolves with the port chosen. */
export async function listen(server: Server, host: string, port: number, label: string): Promise<number> {
  try {
    await once(server.listen(port, host), 'listening');
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const reason = inUse ? 'the port is in use' : (error as Error).message;
    throw new EmbeddedServiceError(inUse ? 'port_in_use' : 'listen_failed', `${label} cannot listen on ${host}:${port}: ${reason}`, { cause: error });
  }
  return (server.address() as AddressInfo).port;
}

/** Stops accepting connections and drops the open ones (long polls included); resolves when closed. */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** Runs a started service's set-up; when it fails, closes the server and rejects with an EmbeddedServiceError (`setup_failed` if not one). */
export async function setUpOrClose<T>(server: Server, what: string, setUp: () => Promise<T>): Promise<T> {
  try {
    return await setUp();
  } catch (error) {
    await closeServer(server);
    throw error instanceof EmbeddedServiceError ? error : new EmbeddedServiceError('setup_failed', `${what}: ${String(error)}`, { cause: error });
  }
}
