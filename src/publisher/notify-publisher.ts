/**
 * NotifyPublisher: sends notifications to a stage's NotifyUser and NotifyConnection queues from an
 * application's code. Every notification gets its id before the first try, so any copy a retry
 * makes is one clients recognise.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { InvalidNotificationError, NotifyBatchError, NotifySendError, type FailedNotification, type SentNotification } from './errors';
import { connectionNotificationMessage, userNotificationMessage, type NotificationMessage, type NotifyOptions } from './notification-message';
import { QueueSender } from './queue-sender';
import { awsSqsClientConfig, localSqsClientConfig } from './sqs-client-config';
import { resolveStageQueues } from './stage-queues';

/** How the publisher sends; every field has a default. */
export interface PublisherSendOptions {
  /**
   * The SQS client. Default: one the publisher creates (and `destroy()` closes) with a 3 s
   * connection timeout, a 5 s request timeout, the default credential chain and the queue URL's
   * region.
   */
  readonly sqsClient?: SQSClient;
  /** `notifyUsers`: SendMessageBatch requests that may carry one entry, the first included. Default 4. */
  readonly maxBatchAttempts?: number;
  /** `notifyUsers`: base of the exponential backoff between those attempts, in ms. Default 100. */
  readonly retryBaseDelayMs?: number;
  /** `notifyUsers`: longest wait between two attempts, in ms. Default 2,000. */
  readonly retryMaxDelayMs?: number;
  /** `notifyUsers`: SendMessageBatch requests in flight at once. Default 10. */
  readonly batchConcurrency?: number;
}

export interface NotifyPublisherOptions extends PublisherSendOptions {
  /** URL of the stage's NotifyUser queue. */
  readonly notifyUserQueueUrl: string;
  /**
   * URL of the stage's NotifyConnection queue. Only `notifyConnection` needs it: a function granted
   * NotifyUser alone (`grantNotify(fn, { connections: false })`) leaves it out.
   */
  readonly notifyConnectionQueueUrl?: string;
}

/** A notification that SQS accepted. */
export interface PublishedNotification {
  /** The notification id clients receive: the one given, else the UUID the publisher made. */
  readonly id: string;
  /** The SQS message id. */
  readonly messageId: string;
}

/** One entry of `notifyUsers`. */
export interface UserNotification {
  readonly userId: string;
  readonly data: unknown;
  /** The notification id; default a new UUID. */
  readonly id?: string;
}

const DEFAULTS = { maxBatchAttempts: 4, retryBaseDelayMs: 100, retryMaxDelayMs: 2_000, batchConcurrency: 10 } as const;

function requireQueueUrl(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`NotifyPublisher: ${option} must be a queue URL, got ${JSON.stringify(value)}`);
  try {
    new URL(value);
  } catch {
    throw new TypeError(`NotifyPublisher: ${option} must be a queue URL, got ${JSON.stringify(value)}`);
  }
  return value;
}

function wholeNumber(value: number | undefined, option: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) throw new TypeError(`NotifyPublisher: ${option} must be a whole number of at least ${minimum}, got ${value}`);
  return value;
}

export class NotifyPublisher {
  readonly notifyUserQueueUrl: string;
  /** Undefined when the publisher was made without it: `notifyConnection` then throws a TypeError. */
  readonly notifyConnectionQueueUrl: string | undefined;
  readonly #client: SQSClient;
  /** Whether the publisher created the client, and so destroys it. */
  #ownsClient: boolean;
  readonly #sender: QueueSender;

  constructor(options: NotifyPublisherOptions) {
    this.notifyUserQueueUrl = requireQueueUrl(options.notifyUserQueueUrl, 'notifyUserQueueUrl');
    this.notifyConnectionQueueUrl =
      options.notifyConnectionQueueUrl === undefined ? undefined : requireQueueUrl(options.notifyConnectionQueueUrl, 'notifyConnectionQueueUrl');
    const policy = {
      maxAttempts: wholeNumber(options.maxBatchAttempts, 'maxBatchAttempts', DEFAULTS.maxBatchAttempts, 1),
      retryBaseDelayMs: wholeNumber(options.retryBaseDelayMs, 'retryBaseDelayMs', DEFAULTS.retryBaseDelayMs, 0),
      retryMaxDelayMs: wholeNumber(options.retryMaxDelayMs, 'retryMaxDelayMs', DEFAULTS.retryMaxDelayMs, 0),
      concurrency: wholeNumber(options.batchConcurrency, 'batchConcurrency', DEFAULTS.batchConcurrency, 1),
    };
    this.#ownsClient = options.sqsClient === undefined;
    this.#client = options.sqsClient ?? new SQSClient(awsSqsClientConfig(this.notifyUserQueueUrl));
    this.#sender = new QueueSender(this.#client, policy);
  }

  /**
   * A publisher for a stage of this project: the queues of its running local stack
   * (`.local/<stage>/endpoints.json`, written by `npm start`), else those of the deployed stage
   * (`.local/<stage>/deployed.json`, written by `npm run deploy`). Without `sqsClient`, the client
   * it creates talks to the local stack's embedded SQS, or to AWS with the default credential chain.
   * Throws StageEndpointsError when neither file gives the queues.
   */
  static forStage(stage: string, options: PublisherSendOptions = {}): NotifyPublisher {
    const queues = resolveStageQueues(stage);
    const sqsClient =
      options.sqsClient ??
      new SQSClient(
        queues.kind === 'local' && queues.sqsEndpoint !== undefined ? localSqsClientConfig(queues.sqsEndpoint) : awsSqsClientConfig(queues.notifyUserQueueUrl),
      );
    const publisher = new NotifyPublisher({
      ...options,
      sqsClient,
      notifyUserQueueUrl: queues.notifyUserQueueUrl,
      notifyConnectionQueueUrl: queues.notifyConnectionQueueUrl,
    });
    publisher.#ownsClient = options.sqsClient === undefined;
    return publisher;
  }

  /**
   * Sends `data` to every authorized connection of `userId` (and stores it in the user's inbox).
   * Throws InvalidNotificationError before sending when the notification breaks a rule, and
   * NotifySendError, carrying the id, when SQS did not take it.
   */
  async notifyUser(userId: string, data: unknown, options: NotifyOptions = {}): Promise<PublishedNotification> {
    return this.#sendOne(this.notifyUserQueueUrl, userNotificationMessage(userId, data, options));
  }

  /**
   * Sends `data` to one connection, if it is authorized. Throws as notifyUser does, and a TypeError
   * when the publisher was made without `notifyConnectionQueueUrl`.
   */
  async notifyConnection(connectionId: string, data: unknown, options: NotifyOptions = {}): Promise<PublishedNotification> {
    if (this.notifyConnectionQueueUrl === undefined) throw new TypeError('NotifyPublisher: notifyConnection needs the notifyConnectionQueueUrl option, which this publisher was made without');
    return this.#sendOne(this.notifyConnectionQueueUrl, connectionNotificationMessage(connectionId, data, options));
  }

  /**
   * Sends one notification per entry through NotifyUser with SendMessageBatch, and returns what
   * notifyUser would for each, in the same order. Every entry is checked before anything is sent
   * (InvalidNotificationError with `entryIndex`). Entries SQS fails on its side are sent again,
   * alone and with the same id, after a backoff, up to `maxBatchAttempts` requests; entries SQS
   * blames on their content are not. When entries remain unsent, throws NotifyBatchError listing
   * them (`failed`) and the others (`sent`).
   */
  async notifyUsers(notifications: readonly UserNotification[]): Promise<PublishedNotification[]> {
    const messages = notifications.map((notification, index) => checkEntry(notification, index));
    const outcomes = await this.#sender.sendBatch(
      this.notifyUserQueueUrl,
      messages.map((message) => message.body),
    );
    const sent: SentNotification[] = [];
    const failed: FailedNotification[] = [];
    outcomes.forEach((outcome, index) => {
      const { id } = messages[index] as NotificationMessage;
      const { userId } = notifications[index] as UserNotification;
      if (outcome.sent) sent.push({ index, userId, id, messageId: outcome.messageId });
      else failed.push({ index, userId, id, code: outcome.code, message: outcome.message, senderFault: outcome.senderFault, attempts: outcome.attempts });
    });
    if (failed.length > 0) throw new NotifyBatchError(sent, failed);
    return sent.map(({ id, messageId }) => ({ id, messageId }));
  }

  /** Closes the SQS client if the publisher created it; an injected client is left to its owner. */
  destroy(): void {
    if (this.#ownsClient) this.#client.destroy();
  }

  async #sendOne(queueUrl: string, message: NotificationMessage): Promise<PublishedNotification> {
    try {
      return { id: message.id, messageId: await this.#sender.send(queueUrl, message.body) };
    } catch (error) {
      throw new NotifySendError(message.id, queueUrl, { cause: error });
    }
  }
}

function checkEntry(notification: UserNotification, index: number): NotificationMessage {
  try {
    return userNotificationMessage(notification.userId, notification.data, { id: notification.id });
  } catch (error) {
    if (!(error instanceof InvalidNotificationError)) throw error;
    throw new InvalidNotificationError(error.code, `notifications[${index}]: ${error.message}`, {
      cause: error,
      entryIndex: index,
      ...(error.frameBytes === undefined ? {} : { frameBytes: error.frameBytes }),
    });
  }
}
