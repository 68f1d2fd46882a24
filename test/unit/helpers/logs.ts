/**
 * Loggers for tests: a silent one, and one whose printed JSON lines are captured (Powertools
 * writes through its own Console on process.stdout / process.stderr).
 */
import type { Logger } from '../../../src/commons/logger';
import { createLogger } from '../../../src/commons/logger';

export function silentLogger(): Logger {
  return createLogger({ logLevel: 'SILENT' });
}

export interface CapturedLogs {
  readonly logger: Logger;
  /** Every printed line, raw. */
  readonly lines: string[];
  /** Every printed line, parsed. */
  entries(): Record<string, unknown>[];
  restore(): void;
}

/** A DEBUG-level logger whose output is captured instead of printed. Call restore() in afterEach. */
export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') lines.push(line);
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  const logger = createLogger({ logLevel: 'DEBUG' });
  return {
    logger,
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}
