/**
 * What every entry file in src/functions does around its handler: one logger per module (with
 * the stage as a persistent key), the Lambda context in every log item, and the event logged
 * (redacted) when POWERTOOLS_LOGGER_LOG_EVENT is true.
 */
import type { Context } from 'aws-lambda';
import { getOptionalStringFromEnv, type Environment } from './config';
import { createLogger, type Logger } from './logger';

export function createFunctionLogger(env: Environment = process.env): Logger {
  const stage = getOptionalStringFromEnv('STAGE', env);
  return createLogger(stage === undefined ? {} : { persistentKeys: { stage } });
}

export type LambdaHandler<E, R> = (event: E, context?: Context) => Promise<R>;

export function lambdaEntry<E, R>(logger: Logger, handler: (event: E, context?: Context) => Promise<R>): LambdaHandler<E, R> {
  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    logger.logEventIfEnabled(event);
    return handler(event, context);
  };
}
