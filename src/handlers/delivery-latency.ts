/**
 * Where the delivery latency of a notification starts: the SQS `SentTimestamp` of the message the
 * application sent. NotifyUser passes its message's timestamp on to each NotifyConnection copy as
 * a message attribute; a message an application sent to NotifyConnection directly starts at its
 * own `SentTimestamp`.
 */
import type { SQSRecord } from 'aws-lambda';
import { NOTIFY_USER_SENT_AT_ATTRIBUTE } from '../commons/metric-names';

/** Epoch milliseconds in a string, or undefined when it is not one. */
function epochMs(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** The record's `SentTimestamp` (epoch ms), when SQS gave one. */
export function sentTimestampOf(record: SQSRecord): number | undefined {
  return epochMs(record.attributes?.SentTimestamp);
}

/** The attributes NotifyUser puts on each copy it sends to NotifyConnection for `record`. */
export function fanOutAttributes(record: SQSRecord): Record<string, string> | undefined {
  const sentAt = sentTimestampOf(record);
  return sentAt === undefined ? undefined : { [NOTIFY_USER_SENT_AT_ATTRIBUTE]: String(sentAt) };
}

/** When the notification of a NotifyConnection record was sent by the application (epoch ms), if known. */
export function deliveryStartOf(record: SQSRecord): number | undefined {
  return epochMs(record.messageAttributes?.[NOTIFY_USER_SENT_AT_ATTRIBUTE]?.stringValue) ?? sentTimestampOf(record);
}
