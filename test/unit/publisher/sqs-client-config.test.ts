import { awsSqsClientConfig, localSqsClientConfig, regionFromQueueUrl } from '../../../src/publisher/sqs-client-config';

const TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true };

describe('Function: regionFromQueueUrl', () => {
  it('reads the region of an AWS queue URL', () => {
    expect(regionFromQueueUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/q')).toBe('eu-west-1');
    expect(regionFromQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q')).toBe('cn-north-1');
    expect(regionFromQueueUrl('http://127.0.0.1:9324/000000000000/q')).toBeUndefined();
  });
});

describe('Function: awsSqsClientConfig', () => {
  it('bounds connection and request times, in the region of the queue URL, with the default credential chain', () => {
    expect(awsSqsClientConfig('https://sqs.eu-west-1.amazonaws.com/123456789012/q')).toEqual({
      cacheMiddleware: true,
      maxAttempts: 3,
      requestHandler: TIMEOUTS,
      region: 'eu-west-1',
    });
  });

  it("leaves the region to the SDK's chain when the URL names none", () => {
    expect(awsSqsClientConfig('https://example.com/q')).toEqual({ cacheMiddleware: true, maxAttempts: 3, requestHandler: TIMEOUTS });
  });
});

describe('Function: localSqsClientConfig', () => {
  it("points at a local stack's embedded SQS with its credentials, with the same timeouts", () => {
    expect(localSqsClientConfig('http://127.0.0.1:9324')).toEqual({
      cacheMiddleware: true,
      maxAttempts: 3,
      requestHandler: TIMEOUTS,
      endpoint: 'http://127.0.0.1:9324',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
});
