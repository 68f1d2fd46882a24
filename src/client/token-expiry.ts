/**
 * Reads the expiry of a JWT without verifying it (the service verifies). Mode `authorizer` needs
 * it: its connections are authorized by the handshake, which answers no `expiresAt`.
 */

const globals = globalThis as unknown as { atob?: (base64: string) => string };

/** The token's `exp` (unix seconds), or undefined when the token is not a JWT with one. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined || globals.atob === undefined) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(globals.atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}
