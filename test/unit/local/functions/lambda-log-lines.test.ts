import { endLine, initStartLine, reportLine, startLine, timeoutLine, timeoutMessage } from '../../../../src/local/functions/lambda-log-lines';

const requestId = '8f5a2c1e-0b7d-4e1a-9c3f-2d6b8a4e7f10';

describe('Function: startLine / endLine / initStartLine', () => {
  it('writes the lines Lambda writes around an invocation', () => {
    // Act & Assess
    expect(initStartLine('20.20.2')).toBe('INIT_START Runtime Version: nodejs:20.20.2\tRuntime Version ARN: local (worker thread)');
    expect(startLine(requestId)).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(endLine(requestId)).toBe(`END RequestId: ${requestId}`);
  });
});

describe('Function: reportLine', () => {
  it('reports duration, billed duration, memory and, on a cold start, the init duration', () => {
    // Act
    const line = reportLine({ requestId, durationMs: 12.3456, memorySizeMb: 256, maxMemoryUsedMb: 71, initDurationMs: 180.5 });

    // Assess
    expect(line).toBe(`REPORT RequestId: ${requestId}\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\tInit Duration: 180.50 ms`);
  });

  it('leaves the init duration out of a warm invocation and bills at least 1 ms', () => {
    // Act
    const line = reportLine({ requestId, durationMs: 0.02, memorySizeMb: 128, maxMemoryUsedMb: 6 });

    // Assess
    expect(line).toBe(`REPORT RequestId: ${requestId}\tDuration: 0.02 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 6 MB`);
  });

  it('marks a timeout and a crash with their status', () => {
    // Act & Assess
    expect(reportLine({ requestId, durationMs: 3000.4, memorySizeMb: 128, maxMemoryUsedMb: 6, status: 'timeout' })).toMatch(/\tStatus: timeout$/);
    expect(reportLine({ requestId, durationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 6, status: 'error', errorType: 'Runtime.ExitError' })).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
  });
});

describe('Function: timeoutMessage / timeoutLine', () => {
  it('words a timeout as Lambda does, seconds with two decimals', () => {
    // Act & Assess
    expect(timeoutMessage(3)).toBe('Task timed out after 3.00 seconds');
    expect(timeoutMessage(0.5)).toBe('Task timed out after 0.50 seconds');
    expect(timeoutLine(requestId, 6, new Date('2026-01-02T03:04:05.678Z'))).toBe(`2026-01-02T03:04:05.678Z ${requestId} Task timed out after 6.00 seconds`);
  });
});
