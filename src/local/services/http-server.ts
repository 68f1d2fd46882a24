import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddedServiceError } from './service-errors';

/** Listens on host:port (0 = any free port) and resolves with the port chosen. */
export function listen(server: Server, host: string, port: number, label: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new EmbeddedServiceError('port_in_use', `${label} cannot listen on ${host}:${port}: the port is in use`, { cause: error }));
      } else {
        reject(new EmbeddedServiceError('listen_failed', `${label} cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Stops accepting connections and drops the open ones (long polls included); resolves when closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
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
