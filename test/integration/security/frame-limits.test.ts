/**
 * Frames that end a connection (API Gateway's limits, RFC 6455): over 32 KB in one frame or 128 KB in
 * one message → 1009, binary → 1003, text that is not UTF-8 → 1007, protocol violations → 1002.
 * None reaches a function, `$disconnect` runs with that code and deletes the record, and nothing
 * else breaks. Frames are written byte by byte (helpers/raw-websocket.ts) so that a client
 * library's own checks do not get in the way.
 *
 * Invalid UTF-8: RFC 6455 §8.1 says an endpoint that receives a text message that is not UTF-8
 * "MUST Fail the WebSocket Connection" (close code 1007, §7.4.1). `ws` does that before the
 * message is emitted, and the gateway keeps it (AWS does not document its behaviour; replacing
 * the bytes and routing the message would hand functions text the client never sent).
 */
import fc from 'fast-check';
import { eventually, startTestStack, type TestStack } from '../../helpers/local-stack';
import { InvocationWatch, ProcessFailureWatch, structuredLogs } from './helpers/observe';
import { closePayload, Opcode, RawWebSocket, type RawFrame } from './helpers/raw-websocket';

const KB = 1024;
const ROUTE_FUNCTIONS = ['Ping', 'Default', 'Authorize'];
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

/** Byte sequences that are not UTF-8 (RFC 3629): stray continuation, overlong, surrogate, beyond U+10FFFF, truncated, never-valid bytes. */
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xbf, 0x80],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xfe],
  [0xff],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

describe('Security: frames that end the connection (mode authorizer)', () => {
  let t: TestStack;
  let watch: InvocationWatch;
  const processFailures = new ProcessFailureWatch();

  beforeAll(async () => {
    processFailures.install();
    t = await startTestStack({ stage: 'local', authMode: 'authorizer', endpointsFile: false });
    watch = new InvocationWatch(t.stack);
  });

  afterAll(async () => {
    watch.stop();
    await t.close();
    processFailures.uninstall();
  });

  const routeRuns = (): number => ROUTE_FUNCTIONS.reduce((sum, id) => sum + watch.count(id), 0);

  /** An authorized raw connection and its id (from a pong). */
  async function openRaw(): Promise<{ raw: RawWebSocket; connectionId: string }> {
    const raw = await RawWebSocket.connect(`${t.stack.endpoints.websocketUrl}?token=${await t.token('limits-user')}`);
    raw.write({ opcode: Opcode.TEXT, payload: text('{"action":"ping"}') });
    const pong = await raw.nextText();
    const connectionId = (JSON.parse(pong) as { connectionId: string }).connectionId;
    return { raw, connectionId };
  }

  /**
   * The `Connection closed` log item `$disconnect` writes for the connection once it has deleted
   * its record; call it before the connection closes. Fails after 10 s (a bound, not a measure).
   */
  function disconnectLogged(connectionId: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no $disconnect log line for ${connectionId} within 10 s`));
      }, 10_000).unref();
      const stop = t.stack.onFunctionLog((entry) => {
        const item = structuredLogs([entry], 'Disconnect').find((logged) => logged.message === 'Connection closed' && logged.connectionId === connectionId);
        if (item === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(item);
      });
    });
  }

  /**
   * Writes the frames on a fresh connection and checks the outcome: the server closes with
   * `code`, no route function ran for them, `$disconnect` ran with that code and the record is gone.
   */
  async function expectClosedBy(frames: RawFrame[], code: number): Promise<void> {
    // Prepare
    const { raw, connectionId } = await openRaw();
    const routesBefore = routeRuns();
    const disconnected = disconnectLogged(connectionId);

    // Act
    raw.write(...frames);
    let timer: NodeJS.Timeout | undefined;
    const notClosed = new Promise<object>((resolve) => (timer = setTimeout(() => resolve({ code: -1, note: 'the server did not close within 5 s' }), 5000)));
    const closed = await Promise.race([raw.closed, notClosed]);
    clearTimeout(timer);

    // Assess
    raw.destroy();
    expect(closed).toEqual({ code });
    expect(raw.texts).toEqual([]);
    // $disconnect logs once it has deleted the record.
    const disconnect = await disconnected;
    expect(await t.record(connectionId)).toBeUndefined();
    expect(disconnect.disconnectStatusCode).toBe(code);
    expect(routeRuns()).toBe(routesBefore);
  }

  describe('text that is not UTF-8 → 1007', () => {
    it('closes on every invalid sequence, whole or split across fragments, inside JSON or alone', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...INVALID_UTF8),
          fc.constantFrom('', '{"action":"ping","name":"', '{"action":"authorize","token":"'),
          fc.option(fc.nat(), { nil: undefined }),
          async (invalid, prefix, split) => {
            const payload = Buffer.concat([text(prefix), Buffer.from(invalid), text(prefix === '' ? '' : '"}')]);
            const frames: RawFrame[] =
              split === undefined
                ? [{ opcode: Opcode.TEXT, payload }]
                : [
                    { opcode: Opcode.TEXT, fin: false, payload: payload.subarray(0, split % payload.length) },
                    { opcode: Opcode.CONTINUATION, payload: payload.subarray(split % payload.length) },
                  ];
            await expectClosedBy(frames, 1007);
          },
        ),
        { numRuns: 20 },
      );
    });

    it('closes on a close frame whose reason is not UTF-8', async () => {
      await expectClosedBy([{ opcode: Opcode.CLOSE, payload: closePayload(1000, Buffer.from([0xc3, 0x28])) }], 1007);
    });
  });

  describe('binary → 1003', () => {
    it('closes on any binary frame, even one holding a valid JSON message', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((bytes) => Buffer.from(bytes)), fc.constant(text('{"action":"ping"}'))), async (payload) => {
          await expectClosedBy([{ opcode: Opcode.BINARY, payload }], 1003);
        }),
        { numRuns: 8 },
      );
    });
  });

  describe('sizes → 1009', () => {
    it.each([
      ['one frame of 32 KB + 1 byte', [{ opcode: Opcode.TEXT, payload: text(`{"action":"ping","pad":"${'x'.repeat(32 * KB + 1 - 26)}"}`) }]],
      ['one frame of 100 KB', [{ opcode: Opcode.TEXT, payload: text('y'.repeat(100 * KB)) }]],
      ['a continuation frame over 32 KB', [{ opcode: Opcode.TEXT, fin: false, payload: text('{"a":"') }, { opcode: Opcode.CONTINUATION, payload: text('z'.repeat(33 * KB)) }]],
      [
        'a message of 128 KB + 1 byte in 32 KB frames',
        [
          ...[0, 1, 2, 3].map((index): RawFrame => ({ opcode: index === 0 ? Opcode.TEXT : Opcode.CONTINUATION, fin: false, payload: text('m'.repeat(32 * KB)) })),
          { opcode: Opcode.CONTINUATION, payload: text('m') },
        ],
      ],
    ])('closes on %s', async (_name, frames) => {
      const sizes = frames.map((frame) => frame.payload?.length ?? 0);
      expect(Math.max(...sizes) > 32 * KB || sizes.reduce((sum, size) => sum + size, 0) > 128 * KB).toBe(true);
      await expectClosedBy(frames, 1009);
    });

    it('answers a message of exactly 128 KB in frames of exactly 32 KB (the limits themselves are allowed)', async () => {
      const { raw, connectionId } = await openRaw();
      const disconnected = disconnectLogged(connectionId);
      const message = text(`{"action":"ping","pad":"${'p'.repeat(128 * KB - 26)}"}`);
      expect(message.length).toBe(128 * KB);

      raw.write(
        ...[0, 1, 2, 3].map((index): RawFrame => ({
          opcode: index === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
          fin: index === 3,
          payload: message.subarray(index * 32 * KB, (index + 1) * 32 * KB),
        })),
      );

      expect(JSON.parse(await raw.nextText())).toEqual({ type: 'pong', connectionId });
      raw.write({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
      expect((await raw.closed).code).toBe(1000);
      await disconnected;
      expect(await t.record(connectionId)).toBeUndefined();
    });
  });

  describe('protocol violations → 1002', () => {
    it.each<[string, RawFrame[]]>([
      ['an unmasked frame', [{ opcode: Opcode.TEXT, mask: false, payload: text('{"action":"ping"}') }]],
      ['a reserved data opcode (0x3)', [{ opcode: 0x3, payload: text('{"action":"ping"}') }]],
      ['a reserved control opcode (0xB)', [{ opcode: 0xb }]],
      ['RSV1 set without an extension', [{ opcode: Opcode.TEXT, rsv: 0b100, payload: text('{"action":"ping"}') }]],
      ['RSV3 set', [{ opcode: Opcode.TEXT, rsv: 0b001, payload: text('{"action":"ping"}') }]],
      ['a fragmented control frame', [{ opcode: Opcode.PING, fin: false, payload: text('x') }]],
      ['a control frame over 125 bytes', [{ opcode: Opcode.PING, payload: Buffer.alloc(126) }]],
      ['a continuation frame with no message to continue', [{ opcode: Opcode.CONTINUATION, payload: text('{"action":"ping"}') }]],
      ['a new text frame in the middle of a fragmented message', [{ opcode: Opcode.TEXT, fin: false, payload: text('{"a') }, { opcode: Opcode.TEXT, payload: text('{}') }]],
      ['a close frame with a reserved code (999)', [{ opcode: Opcode.CLOSE, payload: closePayload(999) }]],
      ['a close frame with a 1-byte payload', [{ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]) }]],
    ])('closes on %s', async (_name, frames) => {
      await expectClosedBy(frames, 1002);
    });
  });

  describe('afterwards', () => {
    it('broke nothing: the stack still serves, no function failed, nothing rejected unhandled, no record left', async () => {
      const { raw, connectionId } = await openRaw();
      raw.write({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
      await raw.closed;

      await eventually('the table to be empty', async () => ((await t.records()).length === 0 ? true : undefined));
      expect(await t.record(connectionId)).toBeUndefined();
      expect(watch.failures).toEqual([]);
      expect(t.logs.filter((entry) => entry.source === 'gateway')).toEqual([]);
      expect(processFailures.failures).toEqual([]);
    });
  });
});
