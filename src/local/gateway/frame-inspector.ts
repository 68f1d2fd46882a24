/**
 * API Gateway's per-frame limit (32 KB) on the raw client stream.
 *
 * `ws`'s `maxPayload` bounds a whole message (fragments summed), which is API Gateway's other
 * limit (128 KB). To bound single frames too, the gateway reads the frame headers of the bytes
 * the client sends before `ws` parses them (a listener prepended to the socket's `data` event).
 *
 * The inspector parses headers only, skipping payloads, and keeps its state across chunks (a
 * header may be split between two TCP reads). It counts the data messages that complete before
 * the first oversized frame: `ws` delivers those and the gateway dispatches them; every message
 * `ws` delivers after that count is dropped, so no message containing bytes of an oversized
 * frame (or following it) ever reaches a function.
 */
export class FrameInspector {
  /** Data messages (final text/binary/continuation frames) whose last byte has been seen. */
  completedMessages = 0;
  /** Set once a data frame over the limit is announced; the inspector stops parsing. */
  violated = false;

  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private headerNeeded = 2;
  private payloadRemaining = 0;
  private frameEndsMessage = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Inspects the next chunk of the client's stream. Returns false once the limit is broken. */
  inspect(chunk: Buffer): boolean {
    if (this.violated) return false;
    const length = chunk.length;
    let offset = 0;
    while (offset < length) {
      if (this.payloadRemaining > 0) {
        const available = length - offset;
        if (available < this.payloadRemaining) {
          this.payloadRemaining -= available;
          return true;
        }
        offset += this.payloadRemaining;
        this.payloadRemaining = 0;
        if (this.frameEndsMessage) this.completedMessages++;
        continue;
      }

      while (this.headerLength < this.headerNeeded && offset < length) {
        this.header[this.headerLength++] = chunk[offset++]!;
      }
      if (this.headerLength < this.headerNeeded) return true;
      if (this.headerLength === 2) {
        const lengthByte = this.header[1]! & 0x7f;
        const extended = lengthByte === 126 ? 2 : lengthByte === 127 ? 8 : 0;
        const mask = this.header[1]! & 0x80 ? 4 : 0;
        this.headerNeeded = 2 + extended + mask;
        if (this.headerNeeded > 2) continue;
      }
      if (!this.frameHeaderComplete()) return false;
    }
    return true;
  }

  private frameHeaderComplete(): boolean {
    const header = this.header;
    const lengthByte = header[1]! & 0x7f;
    const payloadLength =
      lengthByte === 126
        ? header.readUInt16BE(2)
        : lengthByte === 127
          ? header.readUInt32BE(2) * 0x1_0000_0000 + header.readUInt32BE(6)
          : lengthByte;
    const opcode = header[0]! & 0x0f;
    const isDataFrame = opcode < 0x08;
    this.headerLength = 0;
    this.headerNeeded = 2;
    if (isDataFrame && payloadLength > this.maxFrameBytes) {
      this.violated = true;
      return false;
    }
    this.frameEndsMessage = isDataFrame && (header[0]! & 0x80) !== 0;
    if (payloadLength === 0) {
      if (this.frameEndsMessage) this.completedMessages++;
    } else {
      this.payloadRemaining = payloadLength;
    }
    return true;
  }
}
