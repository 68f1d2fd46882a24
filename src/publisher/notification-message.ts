/**
 * The queue message of one notification: its checks (ids, JSON data, frame size), its id, and
 * its body. Nothing here talks to SQS.
 */
import { randomUUID } from 'node:crypto';
import { ConnectionId, decode, NotificationId, UserId } from '../commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { notificationFrame } from '../commons/frames';
import { InvalidNotificationError } from './errors';

export interface NotifyOptions {
  /**
   * The notification id clients see (1 to 128 characters). Default: a new UUID. Give the same id
   * when sending a notification again, so clients drop the copy they already have.
   */
  readonly id?: string;
}

/** A checked notification, ready to send. */
export interface NotificationMessage {
  readonly id: string;
  /** The queue message body (JSON). */
  readonly body: string;
  /** The size of the largest frame a client can receive for it, in bytes. */
  readonly frameBytes: number;
}

/**
 * The highest `seq` a stored notification can have, 16 digits: the largest frame of a user
 * notification is a replayed one carrying such a `seq`.
 */
const LARGEST_SEQ = Number.MAX_SAFE_INTEGER;

/** The JSON text of `data`; refuses what has no JSON form or would change on the way. */
function serializeData(data: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${value} has no JSON form (it would arrive as null)`);
      return value;
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidNotificationError('invalid_data', `data is not JSON-serialisable: ${reason}`, { cause: error });
  }
  if (text === undefined) throw new InvalidNotificationError('invalid_data', `data is not JSON-serialisable: ${typeof data} has no JSON form`);
  return text;
}

/**
 * SQS refuses U+FFFE and U+FFFF in a message body, and JSON.stringify leaves them as they are.
 * Outside strings JSON text is ASCII, so every one is inside a string, where `\uffff` means the same.
 */
function escapeForSqs(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]/g, (character) => `\\u${character.charCodeAt(0).toString(16)}`);
}

function checkId(id: string | undefined): string {
  if (id === undefined) return randomUUID();
  if (!decode(NotificationId, id).ok) throw new InvalidNotificationError('invalid_id', 'id must be a string of 1 to 128 characters');
  return id;
}

/**
 * Bytes of `frame` with `dataJson` in place of its `data` (null in `frame`): the server delivers
 * `data` as it parses it from the body, whose JSON text is the same.
 */
function frameBytesWith(frame: object, dataJson: string): number {
  return Buffer.byteLength(JSON.stringify(frame), 'utf8') - 'null'.length + Buffer.byteLength(dataJson, 'utf8');
}

function checkFrameSize(frameBytes: number): void {
  if (frameBytes > MAX_WEBSOCKET_MESSAGE_BYTES) {
    throw new InvalidNotificationError(
      'notification_too_large',
      `the notification would be a ${frameBytes}-byte frame, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket message limit`,
      { frameBytes },
    );
  }
}

/**
 * The NotifyUser message for `userId`. Its largest frame is a replayed one,
 * `{"type":"notification","id","seq","data","replayed":true}`, which must fit a WebSocket message.
 */
export function userNotificationMessage(userId: string, data: unknown, options: NotifyOptions = {}): NotificationMessage {
  if (!decode(UserId, userId).ok) throw new InvalidNotificationError('invalid_user_id', 'userId must be a string of 1 to 128 characters');
  const id = checkId(options.id);
  const dataJson = serializeData(data);
  const frameBytes = frameBytesWith({ ...notificationFrame(id, null), seq: LARGEST_SEQ, replayed: true }, dataJson);
  checkFrameSize(frameBytes);
  // Assembled from JSON texts so that `data` is serialised once: the body carries the very text measured.
  const body = `{"userId":${JSON.stringify(userId)},"data":${dataJson},"id":${JSON.stringify(id)}}`;
  return { id, body: escapeForSqs(body), frameBytes };
}

/**
 * The NotifyConnection message for `connectionId`. A connection notification is never stored or
 * replayed: its frame is `{"type":"notification","id","data"}`.
 */
export function connectionNotificationMessage(connectionId: string, data: unknown, options: NotifyOptions = {}): NotificationMessage {
  if (!decode(ConnectionId, connectionId).ok) {
    throw new InvalidNotificationError('invalid_connection_id', 'connectionId must be a string of 1 to 128 characters');
  }
  const id = checkId(options.id);
  const dataJson = serializeData(data);
  const frameBytes = frameBytesWith(notificationFrame(id, null), dataJson);
  checkFrameSize(frameBytes);
  const body = `{"connectionId":${JSON.stringify(connectionId)},"data":${dataJson},"id":${JSON.stringify(id)}}`;
  return { id, body: escapeForSqs(body), frameBytes };
}
