/**
 * Structured JSON logs (Powertools Logger) in which a token can never appear: every log item
 * passes through RedactingLogFormatter, which runs `redact` over the whole item — message,
 * persistent keys, logged events, errors (message, stack, cause) — before it is printed.
 */
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redact } from './redaction';

export type { Logger } from '@aws-lambda-powertools/logger';

/** The Powertools log structure, redacted as a whole. */
export class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const item = new LogItem({ attributes: base }).addAttributes(additionalLogAttributes);
    item.setAttributes(redact(item.getAttributes(), { formatError: (error) => this.formatError(error) }) as LogAttributes);
    return item;
  }
}

export interface CreateLoggerOptions {
  /** Overrides POWERTOOLS_LOG_LEVEL (tests use `SILENT`). */
  readonly logLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';
  /** Keys printed with every log item (e.g. `{ stage }`). */
  readonly persistentKeys?: LogAttributes;
}

/** A Powertools Logger (service name from POWERTOOLS_SERVICE_NAME, default `ws-notify`) that redacts tokens. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ws-notify',
    logFormatter: new RedactingLogFormatter(),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.persistentKeys === undefined ? {} : { persistentKeys: options.persistentKeys }),
  });
}
