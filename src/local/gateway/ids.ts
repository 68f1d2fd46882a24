import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

/**
 * Ids shaped like API Gateway's WebSocket ids (README.md, Decisions: ids): 11 bytes in base64url
 * plus one `=`. The 11 bytes: 6 of milliseconds since the epoch (ids made close together share a
 * prefix, as on AWS), a 16-bit counter (ids made in one millisecond never repeat) and 3 random bytes.
 */
export const AWS_ID_PATTERN = /^[A-Za-z0-9_-]{15}=$/;

// Random bytes are drawn in blocks: one randomFillSync per id would cost microseconds per message.
const pool = Buffer.alloc(11 * 512);
let offset = pool.length;
let counter = randomInt(0x10000);

export function awsId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, (offset += 11));
  bytes.writeUIntBE(Date.now(), 0, 6);
  counter = (counter + 1) & 0xffff;
  bytes.writeUInt16BE(counter, 6);
  return `${bytes.toString('base64url')}=`;
}

/** An X-Amzn-Trace-Id value: `Root=1-<epoch seconds, 8 hex>-<24 hex>`. */
export function traceId(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** A 10-character API id like API Gateway's (`nn27okk1we`). */
export function randomApiId(): string {
  return Array.from(randomBytes(10), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}
