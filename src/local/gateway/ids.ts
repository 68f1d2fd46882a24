import { randomFillSync } from 'node:crypto';

/**
 * Ids shaped like API Gateway's WebSocket ids (README.md, Decisions: ids): 11 bytes in base64url
 * plus one `=`. The 11 bytes: 6 of milliseconds since the epoch (ids made close together share a
 * prefix, as on AWS), a 16-bit counter (one generator never repeats an id) and 3 random bytes from
 * a pool refilled in blocks; `next()` allocates only the returned string.
 */
export const AWS_ID_PATTERN = /^[A-Za-z0-9_-]{15}=$/;

const RANDOM_POOL_BYTES = 3 * 1024;

export class IdGenerator {
  private readonly bytes = Buffer.alloc(11);
  private readonly pool = Buffer.alloc(RANDOM_POOL_BYTES);
  private poolOffset = RANDOM_POOL_BYTES;
  private counter: number;

  constructor() {
    randomFillSync(this.bytes, 6, 2);
    this.counter = this.bytes.readUInt16BE(6);
  }

  next(): string {
    const bytes = this.bytes;
    bytes.writeUIntBE(Date.now(), 0, 6);
    this.counter = (this.counter + 1) & 0xffff;
    bytes.writeUInt16BE(this.counter, 6);
    if (this.poolOffset + 3 > RANDOM_POOL_BYTES) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    this.pool.copy(bytes, 8, this.poolOffset, this.poolOffset + 3);
    this.poolOffset += 3;
    return `${bytes.toString('base64url')}=`;
  }
}

/** An X-Amzn-Trace-Id value: `Root=1-<epoch seconds, 8 hex>-<24 hex>`. */
export function traceId(nowMs: number): string {
  const random = Buffer.alloc(12);
  randomFillSync(random);
  return `Root=1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${random.toString('hex')}`;
}

/** A 10-character API id like API Gateway's (`nn27okk1we`). */
export function randomApiId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const random = Buffer.alloc(10);
  randomFillSync(random);
  let id = '';
  for (const byte of random) id += alphabet[byte % alphabet.length];
  return id;
}
