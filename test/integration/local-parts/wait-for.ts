import { eventually } from '../../helpers/eventually';

/** Polls every 2 ms (the local parts answer within milliseconds) until `check` returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  return eventually(what, check, timeoutMs, 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
