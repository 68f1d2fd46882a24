/**
 * What an observer may learn of a route response: the `type` of a JSON object body and its `code`
 * (a `pong` from an `error` with code `token_expired`), nothing else. Both must be short
 * identifiers (no dot, so no JWT), so that no value an application put in a frame leaks into an event.
 */

/** `type` and `code` of a route response that is a JSON object. */
export interface ReplySummary {
  readonly type: string;
  readonly code?: string;
}

/** Longer bodies are not parsed for an observer (a ws-notify reply is far smaller). */
export const MAX_SUMMARIZED_BODY_CHARACTERS = 16_384;

const IDENTIFIER = /^[A-Za-z][\w-]{0,39}$/;

const identifier = (value: unknown): string | undefined => (typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined);

/** The summary of a text body, or undefined when it is not a JSON object with an identifier `type`. */
export function summarizeReply(body: string): ReplySummary | undefined {
  if (body.length > MAX_SUMMARIZED_BODY_CHARACTERS || !body.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  const type = identifier(frame.type);
  if (type === undefined) return undefined;
  const code = identifier(frame.code);
  return code === undefined ? { type } : { type, code };
}
