import path from 'node:path';

/** The repository root (this file lives in src/tooling/). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where stage key pairs live: `.keys/` unless WS_NOTIFY_KEYS_DIR says otherwise (tests use a temp dir). */
export function keysDirectory(): string {
  return process.env.WS_NOTIFY_KEYS_DIR ?? path.join(PROJECT_ROOT, '.keys');
}

/** Where the local runtime and deploy write per-stage state: `.local/` unless WS_NOTIFY_STATE_DIR says otherwise. */
export function stateDirectory(): string {
  return process.env.WS_NOTIFY_STATE_DIR ?? path.join(PROJECT_ROOT, '.local');
}
