/** A JSON object: not null, not an array. The local runtime's one check of untyped input's shape. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
