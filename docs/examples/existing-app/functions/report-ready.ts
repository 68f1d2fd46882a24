/**
 * Consumes the app's ReportsReady queue (`{ "userId", "reportId" }`) and tells the report's owner,
 * on every WebSocket connection they have open, that the report can be downloaded. A message
 * that fails is retried by SQS alone (partial batch response); the notification's id is the
 * report's, so a retry is recognisable as the same notification.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { NotifyPublisher } from 'ws-notify/publisher';

interface ReportReady {
  readonly userId: string;
  readonly reportId: string;
}

const notifyUserQueueUrl = process.env.NOTIFY_USER_QUEUE_URL;
if (notifyUserQueueUrl === undefined) throw new Error('NOTIFY_USER_QUEUE_URL is not set');
const publisher = new NotifyPublisher({ notifyUserQueueUrl });

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const { userId, reportId } = JSON.parse(record.body) as ReportReady;
      await publisher.notifyUser(userId, { type: 'report-ready', reportId, download: `/reports/${reportId}` }, { id: `report-ready-${reportId}` });
    } catch (error) {
      console.error('report-ready notification failed', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
