/**
 * API Gateway's per-frame limit (32 KB) on the raw client stream, read before `ws` parses it
 * (`ws`'s `maxPayload` bounds whole messages, the 128 KB limit). Only headers are parsed, payloads
 * skipped, with state kept across chunks. It counts the data messages that complete before the
 * first oversized frame: the gateway dispatches those and drops every later one, so no byte of an
 * oversized frame, or of what follows it, reaches a function.
 */
export class FrameInspector {
  /** Data messages (final text/binary/continuation frames) whose last byte has been seen. */
  completedMessages = 0;
  /** Set once a data frame over the limit is announced; the inspector stops parsing. */
  violated = false;

  // The header being read, kept in numbers rather than a Buffer: a gateway holds one inspector per
  // connection.
  private headerLength = 0;
  private headerNeeded = 2;
  private firstByte = 0;
  private secondByte = 0;
  /** The 16- or 64-bit extended payload length, big-endian, accumulated byte by byte. */
  private extendedLength = 0;
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
        const byte = chunk[offset++]!;
        const index = this.headerLength++;
        if (index === 0) this.firstByte = byte;
        else if (index === 1) this.secondByte = byte;
        else if (index < this.headerNeeded - this.maskLength()) this.extendedLength = this.extendedLength * 256 + byte;
        // The masking key (the last 4 header bytes of a client frame) is not needed.
      }
      if (this.headerLength < this.headerNeeded) return true;
      if (this.headerLength === 2) {
        const lengthByte = this.secondByte & 0x7f;
        const extended = lengthByte === 126 ? 2 : lengthByte === 127 ? 8 : 0;
        this.headerNeeded = 2 + extended + this.maskLength();
        if (this.headerNeeded > 2) continue;
      }
      if (!this.frameHeaderComplete()) return false;
    }
    return true;
  }

  private maskLength(): number {
    return this.secondByte & 0x80 ? 4 : 0;
  }

  private frameHeaderComplete(): boolean {
    const lengthByte = this.secondByte & 0x7f;
    // 64-bit lengths above 2^53 lose precision here, but stay far above any frame limit.
    const payloadLength = lengthByte === 126 || lengthByte === 127 ? this.extendedLength : lengthByte;
    const opcode = this.firstByte & 0x0f;
    const isDataFrame = opcode < 0x08;
    this.headerLength = 0;
    this.headerNeeded = 2;
    this.extendedLength = 0;
    if (isDataFrame && payloadLength > this.maxFrameBytes) {
      this.violated = true;
      return false;
    }
    this.frameEndsMessage = isDataFrame && (this.firstByte & 0x80) !== 0;
    if (payloadLength === 0) {
      if (this.frameEndsMessage) this.completedMessages++;
    } else {
      this.payloadRemaining = payloadLength;
    }
    return true;
  }
}
