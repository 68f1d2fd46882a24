/**
 * How the publisher configures the SQS client it creates itself (an injected client is used as
 * given): bounded connection and request times, and the region of the queue URL.
 */
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { SDK_CLIENT_CONFIG } from '../commons/clients/sdk-client-config';

/**
 * A connection must be up within 3 s and a request answered within 5 s (SQS answers in tens of
 * milliseconds); past either, the attempt fails with a TimeoutError that the client's retry
 * strategy retries (3 attempts in all, the SDK's default).
 */
export const SQS_REQUEST_HANDLER = { connectionTimeout: 3_000, requestTimeout: 5_000, throwOnRequestTimeout: true } as const;

/** The embedded SQS of a local stack checks that requests are signed, not by whom. */
const LOCAL_STACK_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

/** The region in an SQS queue URL (`https://sqs.<region>.amazonaws.com/…`), if it has one. */
export function regionFromQueueUrl(queueUrl: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(queueUrl)?.[1];
}

/**
 * For queues on AWS: the default credential chain, in the queue URL's region when the URL names
 * one (else the SDK's region chain, e.g. AWS_REGION).
 */
export function awsSqsClientConfig(queueUrl: string): SQSClientConfig {
  const region = regionFromQueueUrl(queueUrl);
  return { ...SDK_CLIENT_CONFIG, requestHandler: { ...SQS_REQUEST_HANDLER }, ...(region === undefined ? {} : { region }) };
}

/** For the embedded SQS of a running local stack. */
export function localSqsClientConfig(sqsEndpoint: string): SQSClientConfig {
  return {
    ...SDK_CLIENT_CONFIG,
    requestHandler: { ...SQS_REQUEST_HANDLER },
    endpoint: sqsEndpoint,
    region: LOCAL_STACK_CLIENT.region,
    credentials: { ...LOCAL_STACK_CLIENT.credentials },
  };
}
