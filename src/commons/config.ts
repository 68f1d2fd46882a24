/**
 * Configuration getters. Entry files (src/functions) call them once, at module load: a missing
 * or malformed variable is a ConfigurationError before the first event, never a
 * `process.env.X!` surprise inside the logic.
 */
import { ConfigurationError } from './errors';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable that must be present and non-empty. */
export function getStringFromEnv(name: string, env: Environment = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError('missing_variable', name, `environment variable ${name} is required`);
  }
  return value;
}

/** A variable that may be absent; an empty value counts as absent. */
export function getOptionalStringFromEnv(name: string, env: Environment = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export interface IntegerBounds {
  readonly min: number;
  readonly max: number;
}

/** A whole number within bounds. */
export function getIntegerFromEnv(name: string, bounds: IntegerBounds, env: Environment = process.env): number {
  const text = getStringFromEnv(name, env).trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < bounds.min || value > bounds.max) {
    throw new ConfigurationError(
      'invalid_variable',
      name,
      `environment variable ${name} must be a whole number from ${bounds.min} to ${bounds.max}, got "${text}"`,
    );
  }
  return value;
}

/** A comma-separated list; absent or empty means an empty list. Items are trimmed, empty items dropped. */
export function getListFromEnv(name: string, env: Environment = process.env): string[] {
  const value = getOptionalStringFromEnv(name, env);
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** One of a fixed set of values. */
export function getEnumFromEnv<T extends string>(name: string, allowed: readonly T[], env: Environment = process.env): T {
  const value = getStringFromEnv(name, env).trim();
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new ConfigurationError(
      'invalid_variable',
      name,
      `environment variable ${name} must be one of ${allowed.join(', ')}, got "${value}"`,
    );
  }
  return match;
}

/** A JSON document. */
export function getJsonFromEnv(name: string, env: Environment = process.env): unknown {
  const text = getStringFromEnv(name, env);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ConfigurationError('invalid_variable', name, `environment variable ${name} must be JSON`);
  }
}
