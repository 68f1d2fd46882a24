import type { Message } from '@aws-sdk/client-sqs';
import capturedEvent from '../../../fixtures/events/sqs-batch.json';
import { toSqsEvent, toSqsRecord } from '../../../../src/local/pollers/sqs-event';

const source = { queueArn: 'arn:aws:sqs:us-east-1:123456789012:ws-notify-prod-NotifyConnection', region: 'us-east-1' };

/** The ReceiveMessage answer that Lambda turned into the captured record. */
function sqsMessageFactory(overrides: Partial<Message> = {}): Message {
  const record = capturedEvent.Records[0]!;
  return {
    MessageId: record.messageId,
    ReceiptHandle: record.receiptHandle,
    Body: record.body,
    MD5OfBody: record.md5OfBody,
    Attributes: { ...record.attributes },
    ...overrides,
  };
}

describe('Function: toSqsEvent', () => {
  it('builds the event Lambda builds (captured event)', () => {
    // Act
    const event = toSqsEvent([sqsMessageFactory()], source);

    // Assess
    expect(event).toEqual(capturedEvent);
  });
});

describe('Function: toSqsRecord', () => {
  it('converts message attributes to camelCase with binary values in base64, and keeps their MD5', () => {
    // Prepare
    const message = sqsMessageFactory({
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: 'invalid_body' },
        count: { DataType: 'Number', StringValue: '3' },
        raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 255]) },
      },
      MD5OfMessageAttributes: '3f2c…',
    });

    // Act
    const record = toSqsRecord(message, source);

    // Assess
    expect(record.messageAttributes).toEqual({
      reason: { stringValue: 'invalid_body', stringListValues: [], binaryListValues: [], dataType: 'String' },
      count: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      raw: { binaryValue: 'AQL/', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(record.md5OfMessageAttributes).toBe('3f2c…');
  });

  it('keeps system attributes beyond the four standard ones (a message moved from a DLQ)', () => {
    // Prepare
    const message = sqsMessageFactory({ Attributes: { ...sqsMessageFactory().Attributes, DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:1:Source' } });

    // Act & Assess
    expect(toSqsRecord(message, source).attributes.DeadLetterQueueSourceArn).toBe('arn:aws:sqs:us-east-1:1:Source');
  });
});
