/** What the client host (client-host.ts) serves. */

export interface OpenParams {
  /** URLs to connect to, used in turn (one token per user, many connections per user). */
  readonly urls: readonly string[];
  readonly count: number;
  /** Handshakes in flight at once. */
  readonly concurrency: number;
}

export interface OpenResult {
  readonly opened: number;
  readonly durationMs: number;
  /** Clients of this host still open. */
  readonly open: number;
}

// An RpcApi is a type alias: an interface would not satisfy its index signature.
export type ClientHostApi = {
  open(params: OpenParams): Promise<OpenResult>;
  closeAll(): Promise<{ closed: number }>;
  close(): Promise<void>;
};
