/**
 * ws-notify/publisher: send notifications to a ws-notify stage from a Node.js application.
 *
 * @example
 * import { NotifyPublisher } from 'ws-notify/publisher';
 *
 * const publisher = new NotifyPublisher({ notifyUserQueueUrl, notifyConnectionQueueUrl });
 * const { id, messageId } = await publisher.notifyUser('1234', { download: '/reports/42' });
 */
export {
  NotifyPublisher,
  type NotifyPublisherOptions,
  type PublishedNotification,
  type PublisherSendOptions,
  type UserNotification,
} from './notify-publisher';
export type { NotifyOptions } from './notification-message';
export {
  InvalidNotificationError,
  NotifyBatchError,
  NotifySendError,
  StageEndpointsError,
  type FailedNotification,
  type InvalidNotificationCode,
  type InvalidNotificationDetails,
  type SentNotification,
  type StageEndpointsCode,
} from './errors';
