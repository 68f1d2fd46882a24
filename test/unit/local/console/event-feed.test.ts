import {
  describeBatch,
  describeDisconnect,
  describeFailedInvocation,
  describeFanOut,
  describeHandshake,
  describeManagement,
  describeRoute,
  EventFeed,
} from '../../../../src/local/console/event-feed';
import type { PollerBatchEvent } from '../../../../src/local/pollers/poller-events';

describe('Function: describeHandshake', () => {
  it('describes an accepted and a refused handshake', () => {
    expect(describeHandshake({ status: 101, outcome: 'connected', durationMs: 12.4, connectionId: 'A=', sourceIp: '127.0.0.1' })).toEqual({
      kind: 'handshake',
      level: 'info',
      text: 'handshake A= → 101 connected (12 ms)',
      connectionId: 'A=',
    });
    expect(describeHandshake({ status: 401, outcome: 'missing-identity', durationMs: 0.2, connectionId: 'B=', sourceIp: '127.0.0.1' })).toMatchObject({
      level: 'warn',
      text: 'handshake B= → 401 missing-identity (0 ms)',
    });
    expect(describeHandshake({ status: 403, outcome: 'forbidden-path', durationMs: 0, connectionId: undefined, sourceIp: '127.0.0.1' })).toEqual({
      kind: 'handshake',
      level: 'warn',
      text: 'handshake → 403 forbidden-path (0 ms)',
    });
  });
});

describe('Function: describeRoute', () => {
  it('gives the route, the result, what was sent and the duration', () => {
    expect(describeRoute({ routeKey: 'ping', connectionId: 'A=', requestId: 'r', durationMs: 3, result: 'ok', sent: 'body' })).toEqual({
      kind: 'route',
      level: 'info',
      text: 'ping on A=: ok, body (3 ms)',
      connectionId: 'A=',
    });
    expect(describeRoute({ routeKey: null, connectionId: 'A=', requestId: 'r', durationMs: 0, result: 'no-route', sent: 'error-frame' })).toMatchObject({
      level: 'error',
      text: '(no route) on A=: no-route, error-frame (0 ms)',
    });
    expect(describeRoute({ routeKey: 'ping', connectionId: 'A=', requestId: 'r', durationMs: 3000, result: 'error', sent: 'error-frame', errorType: 'TypeError' })).toMatchObject({
      level: 'error',
      text: 'ping on A=: error TypeError, error-frame (3000 ms)',
    });
  });
});

describe('Function: describeRoute with the reply frame', () => {
  it('describes an invocation that answered with a frame by that frame: an error frame is a warning, not "ok"', () => {
    const event = { routeKey: 'ping', connectionId: 'A=', requestId: 'r', durationMs: 3, result: 'ok', sent: 'body' } as const;

    expect(describeRoute({ ...event, reply: { type: 'pong' } })).toEqual({ kind: 'route', level: 'info', text: 'ping on A= → pong (3 ms)', connectionId: 'A=' });
    expect(describeRoute({ ...event, reply: { type: 'error', code: 'token_expired' } })).toEqual({
      kind: 'route',
      level: 'warn',
      text: 'ping on A= → error token_expired (3 ms)',
      connectionId: 'A=',
    });
    expect(describeRoute({ ...event, routeKey: 'resume', reply: { type: 'resumed' } }).text).toBe('resume on A= → resumed (3 ms)');
  });

  it('keeps the invocation result when the function failed or the client was gone', () => {
    expect(describeRoute({ routeKey: 'ping', connectionId: 'A=', requestId: 'r', durationMs: 3, result: 'ok', sent: 'connection-gone', reply: { type: 'pong' } }).text).toBe(
      'ping on A=: ok, connection-gone (3 ms)',
    );
  });
});

describe('Function: describeFanOut', () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'INFO', message: 'Notification fanned out', timestamp: '2025-01-01T00:00:00.000Z', service: 'ws-notify', ...fields });
  const fanOut = { messageId: 'm1', notificationId: 'n1', userId: 'alice', seq: 3, duplicate: false };

  it('says to how many connections a stored notification went, and that one for nobody waits in the inbox', () => {
    expect(describeFanOut({ source: 'function', name: 'NotifyUser', level: 'info', line: line({ ...fanOut, connections: 0 }) })).toEqual({
      kind: 'notification',
      level: 'info',
      text: 'NotifyUser: notification n1 for alice (seq 3) stored, 0 connections: it waits in the inbox for a resume',
    });
    expect(describeFanOut({ source: 'function', name: 'NotifyUser', level: 'info', line: line({ ...fanOut, connections: 1 }) })?.text).toBe(
      'NotifyUser: notification n1 for alice (seq 3) stored, 1 connection',
    );
    expect(describeFanOut({ source: 'function', name: 'NotifyUser', level: 'info', line: line({ ...fanOut, duplicate: true, connections: 2 }) })?.text).toBe(
      'NotifyUser: notification n1 for alice (seq 3) already stored, 2 connections',
    );
  });

  it.each([
    ['another message', { source: 'function', name: 'NotifyUser', level: 'info', line: JSON.stringify({ message: 'Resumed', connections: 1 }) }],
    ['a line that is not JSON', { source: 'function', name: 'NotifyUser', level: 'info', line: 'Notification fanned out to 3' }],
    ['no count of connections', { source: 'function', name: 'NotifyUser', level: 'info', line: JSON.stringify({ message: 'Notification fanned out' }) }],
    ['a poller line', { source: 'poller', name: 'M', level: 'info', line: JSON.stringify({ message: 'Notification fanned out', connections: 1 }) }],
  ] as const)('ignores %s', (_case, entry) => {
    expect(describeFanOut(entry)).toBeUndefined();
  });
});

describe('Function: describeManagement', () => {
  it('calls a POST 200 a delivery and a 410 a gone connection', () => {
    expect(describeManagement({ method: 'POST', connectionId: 'A=', status: 200, durationMs: 1 })).toMatchObject({ kind: 'delivery', level: 'info', text: 'delivered to A= (1 ms)' });
    expect(describeManagement({ method: 'POST', connectionId: 'B=', status: 410, durationMs: 1 })).toMatchObject({
      kind: 'gone',
      level: 'warn',
      text: 'POST @connections/B= → 410 GoneException (the caller deletes the record)',
    });
    expect(describeManagement({ method: 'DELETE', connectionId: 'C=', status: 204, durationMs: 2 })).toMatchObject({ kind: 'management', level: 'info', text: 'DELETE @connections/C= → 204 (2 ms)' });
  });
});

describe('Function: describeDisconnect', () => {
  it('gives the code, the reason and the cause', () => {
    expect(describeDisconnect({ connectionId: 'A=', code: 1000, reason: 'bye', cause: 'client', durationMs: 5000 }).text).toBe('disconnect A=: 1000 "bye", client, after 5000 ms');
    expect(describeDisconnect({ connectionId: 'A=', code: 1006, reason: '', cause: 'abnormal', durationMs: 1 }).text).toBe('disconnect A=: 1006, abnormal, after 1 ms');
  });
});

describe('Function: describeBatch', () => {
  const batch: PollerBatchEvent = {
    mappingId: 'M',
    functionId: 'NotifyUser',
    queueId: 'NotifyUserQueue',
    messageIds: ['1', '2'],
    outcome: 'success',
    failedMessageIds: [],
    deleteFailures: 0,
    durationMs: 20,
    timestamp: 0,
  };

  it('describes a successful, a partial and a failed batch', () => {
    expect(describeBatch(batch, 'NotifyUser')).toEqual({ kind: 'batch', level: 'info', text: 'NotifyUser → NotifyUser: 2 messages, success (20 ms)' });
    expect(describeBatch({ ...batch, outcome: 'partial', failedMessageIds: ['2'] }, 'NotifyUser')).toMatchObject({ level: 'warn', text: 'NotifyUser → NotifyUser: 2 messages, partial, 1 to retry (20 ms)' });
    expect(describeBatch({ ...batch, messageIds: ['1'], outcome: 'failure', failedMessageIds: ['1'], reason: 'function timed out' }, 'NotifyUser')).toMatchObject({
      level: 'error',
      text: 'NotifyUser → NotifyUser: 1 message, failure, 1 to retry (function timed out) (20 ms)',
    });
  });
});

describe('Function: describeFailedInvocation', () => {
  it('reports a failed invocation by its error type only, and nothing for a successful one', () => {
    const end = { type: 'end', functionId: 'Ping', requestId: 'r', coldStart: false, timestamp: 0, durationMs: 4 } as const;

    expect(describeFailedInvocation({ ...end, status: 'ok' })).toBeUndefined();
    expect(describeFailedInvocation({ ...end, status: 'error', errorType: 'TypeError', errorMessage: 'token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln was bad' })).toEqual({
      kind: 'function',
      level: 'error',
      text: 'Ping failed: TypeError (4 ms)',
    });
  });
});

describe('Class: EventFeed', () => {
  describe('Method: add', () => {
    it('numbers and timestamps events and keeps the most recent ones', () => {
      let now = 1000;
      const feed = new EventFeed(3, () => now++);

      for (let index = 1; index <= 5; index += 1) feed.add({ kind: 'console', level: 'info', text: `event ${index}` });

      expect(feed.recent()).toEqual([
        { kind: 'console', level: 'info', text: 'event 3', seq: 3, at: 1002 },
        { kind: 'console', level: 'info', text: 'event 4', seq: 4, at: 1003 },
        { kind: 'console', level: 'info', text: 'event 5', seq: 5, at: 1004 },
      ]);
    });

    it('redacts anything that looks like a token', () => {
      const feed = new EventFeed();

      const event = feed.add({ kind: 'warning', level: 'warn', text: 'bad ws://127.0.0.1/local?token=eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln' });

      expect(event.text).not.toContain('eyJ');
      expect(event.text).toContain('[REDACTED]');
    });
  });
});
