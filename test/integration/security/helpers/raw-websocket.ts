/**
 * A WebSocket client that writes frames byte by byte (RFC 6455 §5.2), for frames a well-behaved
 * client library never sends: unmasked frames, reserved opcodes and bits, fragmented or oversized
 * control frames, close frames with invalid codes or reasons. The handshake goes through
 * `http.request`'s `upgrade` event; the server's frames are parsed far enough to see replies and
 * the close code.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

export interface RawFrame {
  readonly fin?: boolean;
  /** RSV1–RSV3 as a 3-bit number. */
  readonly rsv?: number;
  readonly opcode: number;
  readonly payload?: Buffer;
  /** Clients must mask; `false` sends the payload in clear. */
  readonly mask?: boolean;
}

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** The bytes of one frame. */
export function encodeFrame(frame: RawFrame): Buffer {
  const payload = frame.payload ?? Buffer.alloc(0);
  const masked = frame.mask ?? true;
  const first = ((frame.fin ?? true) ? 0x80 : 0) | (((frame.rsv ?? 0) & 0x7) << 4) | (frame.opcode & 0x0f);
  let header: Buffer;
  if (payload.length < 126) {
    header = Buffer.from([first, (masked ? 0x80 : 0) | payload.length]);
  } else if (payload.length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([header, key, body]);
}

/** A close frame's payload: the code, then the reason bytes. */
export function closePayload(code: number, reason: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.alloc(2 + reason.length);
  payload.writeUInt16BE(code, 0);
  reason.copy(payload, 2);
  return payload;
}

export interface RawClosed {
  /** The server's close code, or undefined when the TCP connection ended without a close frame. */
  readonly code: number | undefined;
}

export class RawWebSocket {
  /** Text frames received and not yet taken by nextText(). */
  readonly texts: string[] = [];
  readonly closed: Promise<RawClosed>;
  private buffered = Buffer.alloc(0);
  private closeCode: number | undefined;
  private textWaiter: ((text: string) => void) | undefined;

  private constructor(readonly socket: Socket, head: Buffer) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve({ code: this.closeCode })));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    if (head.length > 0) this.onData(head);
  }

  /** Opens a connection to `url` (ws://host:port/path?query). Rejects when the handshake is refused. */
  static connect(url: string): Promise<RawWebSocket> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const req = request({
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
      });
      req.once('upgrade', (_res, socket: Socket, head: Buffer) => resolve(new RawWebSocket(socket, head)));
      req.once('response', (res) => {
        res.resume();
        reject(new Error(`handshake refused with ${res.statusCode}`));
      });
      req.once('error', reject);
      req.end();
    });
  }

  write(...frames: RawFrame[]): void {
    this.socket.write(Buffer.concat(frames.map(encodeFrame)));
  }

  /**
   * The next text frame: the oldest of `texts`, else the next one to arrive (one wait at a time).
   * Rejects after `timeoutMs`, which bounds a hang and measures nothing.
   */
  nextText(timeoutMs = 10_000): Promise<string> {
    const queued = this.texts.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.textWaiter !== undefined) return Promise.reject(new Error('nextText() is already waiting'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.textWaiter = undefined;
        reject(new Error(`no text frame within ${timeoutMs} ms`));
      }, timeoutMs).unref();
      this.textWaiter = (text) => {
        clearTimeout(timer);
        this.textWaiter = undefined;
        resolve(text);
      };
    });
  }

  /** Ends the TCP connection from this side (when the server does not). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (this.buffered.length < 2) return;
      const opcode = this.buffered[0]! & 0x0f;
      let length = this.buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffered.length < 4) return;
        length = this.buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffered.length < 10) return;
        length = Number(this.buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffered.length < offset + length) return;
      const payload = this.buffered.subarray(offset, offset + length);
      this.buffered = this.buffered.subarray(offset + length);
      if (opcode === Opcode.TEXT) {
        const text = payload.toString('utf8');
        if (this.textWaiter === undefined) this.texts.push(text);
        else this.textWaiter(text);
      }
      if (opcode === Opcode.CLOSE) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        // Complete the closing handshake, then let the server end TCP.
        if (!this.socket.destroyed) this.socket.end(encodeFrame({ opcode: Opcode.CLOSE, payload: payload.subarray(0, 2) }));
      }
    }
  }
}
