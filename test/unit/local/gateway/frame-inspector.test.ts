import fc from 'fast-check';
import WebSocket from 'ws';
import { FrameInspector } from '../../../../src/local/gateway/frame-inspector';

/** `ws`'s own frame encoder (the client side: masked frames). */
interface FrameOptions {
  readonly fin: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
  readonly rsv1: boolean;
}
const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const PING = 0x9;
const LIMIT = 32 * 1024;

function frame(size: number, opcode = TEXT, fin = true): Buffer {
  return Buffer.concat(Sender.frame(Buffer.alloc(size, 0x61), { fin, opcode, mask: true, readOnly: false, rsv1: false }));
}

function inspectAll(inspector: FrameInspector, stream: Buffer, chunkSizes: number[] = [stream.length]): boolean {
  let offset = 0;
  let ok = true;
  for (const size of chunkSizes) {
    if (offset >= stream.length) break;
    ok = inspector.inspect(stream.subarray(offset, offset + size)) && ok;
    offset += size;
  }
  if (offset < stream.length) ok = inspector.inspect(stream.subarray(offset)) && ok;
  return ok;
}

describe('Class: FrameInspector', () => {
  describe('Method: inspect', () => {
    it('counts complete messages, whatever the payload length encoding (7, 16 or 64 bits)', () => {
      // Prepare
      const inspector = new FrameInspector(200_000);
      const stream = Buffer.concat([frame(5), frame(300), frame(70_000), frame(0)]);

      // Act
      const ok = inspector.inspect(stream);

      // Assess
      expect(ok).toBe(true);
      expect(inspector.completedMessages).toBe(4);
      expect(inspector.violated).toBe(false);
    });

    it('keeps its place when headers and payloads are split across chunks, byte by byte', () => {
      const inspector = new FrameInspector(LIMIT);
      const stream = Buffer.concat([frame(10), frame(200), frame(1)]);

      const ok = inspectAll(inspector, stream, Array.from({ length: stream.length }, () => 1));

      expect(ok).toBe(true);
      expect(inspector.completedMessages).toBe(3);
    });

    it('counts a fragmented message once, at its final frame, with control frames in between', () => {
      const inspector = new FrameInspector(LIMIT);
      const stream = Buffer.concat([frame(LIMIT, TEXT, false), frame(4, PING), frame(LIMIT, CONTINUATION, false), frame(100, CONTINUATION, true)]);

      inspector.inspect(stream.subarray(0, LIMIT + 3));
      expect(inspector.completedMessages).toBe(0);
      inspector.inspect(stream.subarray(LIMIT + 3));

      expect(inspector.completedMessages).toBe(1);
      expect(inspector.violated).toBe(false);
    });

    it('accepts a frame of exactly the limit', () => {
      const inspector = new FrameInspector(LIMIT);

      expect(inspector.inspect(frame(LIMIT))).toBe(true);
      expect(inspector.completedMessages).toBe(1);
    });

    it('reports a data frame over the limit as soon as its header is read, before its payload arrives', () => {
      // Prepare
      const inspector = new FrameInspector(LIMIT);
      const oversized = frame(LIMIT + 1, BINARY);

      // Act
      const ok = inspector.inspect(oversized.subarray(0, 8));

      // Assess
      expect(ok).toBe(false);
      expect(inspector.violated).toBe(true);
      expect(inspector.inspect(oversized.subarray(8))).toBe(false);
    });

    it('counts only the messages completed before an oversized frame', () => {
      const inspector = new FrameInspector(LIMIT);
      const stream = Buffer.concat([frame(10), frame(20), frame(LIMIT + 1), frame(10)]);

      expect(inspector.inspect(stream)).toBe(false);

      expect(inspector.completedMessages).toBe(2);
    });

    it('applies the limit to a continuation frame too', () => {
      const inspector = new FrameInspector(LIMIT);

      expect(inspector.inspect(Buffer.concat([frame(100, TEXT, false), frame(LIMIT + 1, CONTINUATION, true)]))).toBe(false);
      expect(inspector.completedMessages).toBe(0);
    });

    it('finds the same messages and the same violation however the stream is split', () => {
      const frameArbitrary = fc.record({
        size: fc.oneof(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 60_000, max: 70_000 }), fc.constant(LIMIT + 1)),
        fin: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(frameArbitrary, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 9000 }), { maxLength: 40 }), (frames, splits) => {
          // A valid sequence: the first frame of a message is TEXT, the following ones CONTINUATION.
          let inMessage = false;
          const buffers = frames.map(({ size, fin }) => {
            const opcode = inMessage ? CONTINUATION : TEXT;
            inMessage = !fin;
            return frame(size, opcode, fin);
          });
          const stream = Buffer.concat(buffers);
          const whole = new FrameInspector(65_536);
          const split = new FrameInspector(65_536);

          const wholeOk = whole.inspect(stream);
          const splitOk = inspectAll(split, stream, splits);

          expect(splitOk).toBe(wholeOk);
          expect(split.completedMessages).toBe(whole.completedMessages);
          const firstOversized = frames.findIndex(({ size }) => size > 65_536);
          const framesSeen = firstOversized === -1 ? frames : frames.slice(0, firstOversized);
          expect(whole.completedMessages).toBe(framesSeen.filter(({ fin }) => fin).length);
        }),
        { numRuns: 200 },
      );
    });
  });
});
