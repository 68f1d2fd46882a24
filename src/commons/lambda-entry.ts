/**
 * What every entry file in src/functions does around its handler: one logger per module (with
 * the stage as a persistent key), the Lambda context in every log item, the event logged
 * (redacted) when POWERTOOLS_LOGGER_LOG_EVENT is true, and, for a function that records metrics,
 * the invocation's metrics published when it ends, as Powertools' logMetrics does (whether the
 * handler returned or threw; nothing is printed when it recorded none).
 */
import type { Context } from 'aws-lambda';
import { getOptionalStringFromEnv, type Environment } from './config';
import { createLogger, type Logger } from './logger';
import type { Metrics } from './metrics';

export function createFunctionLogger(env: Environment = process.env): Logger {
  const stage = getOptionalStringFromEnv('STAGE', env);
  return createLogger(stage === undefined ? {} : { persistentKeys: { stage } });
}

export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

export function lambdaEntry<E, R>(logger: Logger, handler: (event: E, context?: Context) => Promise<R>, metrics?: Metrics): LambdaHandler<E, R> {
  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    logger.logEventIfEnabled(event);
    try {
      return await handler(event, context);
    } finally {
      if (metrics?.hasStoredMetrics() === true) metrics.publishStoredMetrics();
    }
  };
}
