/** The text of a PostToConnection `Data` (the adapter sends bytes). */
export function dataText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer.from(data).toString('utf8');
  throw new TypeError('unexpected PostToConnection Data');
}
