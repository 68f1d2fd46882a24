import { UsageError } from '../../../src/cli/cli-support';
import { describeFaults, parseFaultFlag } from '../../../src/cli/fault-flag';

describe('Function: parseFaultFlag', () => {
  it('reads name=rate pairs separated by commas', () => {
    // Act
    const faults = parseFaultFlag(['dynamodb=0.2,management=0.2']);

    // Assess
    expect(faults).toEqual({ dynamodb: { rate: 0.2 }, management: { rate: 0.2 } });
  });

  it('joins repeated flags and reads every service, with the bounds 0 and 1 and spaces around pairs', () => {
    // Act
    const faults = parseFaultFlag(['dynamodb=0', ' sqs = .5 ', 'management=1']);

    // Assess
    expect(faults).toEqual({ dynamodb: { rate: 0 }, sqs: { rate: 0.5 }, management: { rate: 1 } });
  });

  it('accepts a single string as the flag value', () => {
    // Act & Assess
    expect(parseFaultFlag('sqs=0.25')).toEqual({ sqs: { rate: 0.25 } });
  });

  it('reads hang:rate (never answered) and hang:rate:duration (answered after the duration) beside error rates', () => {
    // Act
    const faults = parseFaultFlag(['management=hang:0.05', 'dynamodb=hang:0.1:40s,sqs=0.2']);

    // Assess
    expect(faults).toEqual({
      management: { rate: 0.05, kinds: ['hang'] },
      dynamodb: { rate: 0.1, kinds: ['hang'], hangMs: 40_000 },
      sqs: { rate: 0.2 },
    });
    expect(parseFaultFlag('sqs=hang:1:2m')).toEqual({ sqs: { rate: 1, kinds: ['hang'], hangMs: 120_000 } });
  });

  it('returns undefined when the flag is absent', () => {
    // Act & Assess
    expect(parseFaultFlag(undefined)).toBeUndefined();
    expect(parseFaultFlag([])).toBeUndefined();
  });

  it.each([
    ['lambda=0.2', 'unknown name "lambda"'],
    ['DynamoDB=0.2', 'unknown name "DynamoDB"'],
    ['__proto__=0.2', 'unknown name "__proto__"'],
    ['dynamodb', '"dynamodb" is not name=rate'],
    ['dynamodb=0.2,', '"" is not name=rate'],
    ['dynamodb=', 'the rate of dynamodb must be from 0 to 1, got ""'],
    ['dynamodb=1.5', 'the rate of dynamodb must be from 0 to 1, got "1.5"'],
    ['dynamodb=-0.1', 'the rate of dynamodb must be from 0 to 1, got "-0.1"'],
    ['dynamodb=20%', 'the rate of dynamodb must be from 0 to 1, got "20%"'],
    ['dynamodb=0x1', 'the rate of dynamodb must be from 0 to 1, got "0x1"'],
    ['dynamodb=1e-1', 'the rate of dynamodb must be from 0 to 1, got "1e-1"'],
    ['dynamodb=NaN', 'the rate of dynamodb must be from 0 to 1, got "NaN"'],
    ['sqs=0.1,sqs=0.2', 'sqs is given twice'],
    ['sqs=0.1,sqs=hang:0.2', 'sqs is given twice'],
    ['management=hang', 'the rate of management must be from 0 to 1, got "hang"'],
    ['management=hang:', 'the rate of management must be from 0 to 1, got ""'],
    ['management=hang:2', 'the rate of management must be from 0 to 1, got "2"'],
    ['management=stall:0.1', 'the rate of management must be from 0 to 1, got "stall:0.1"'],
    ['management=hang:0.1:', 'the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got ""'],
    ['management=hang:0.1:0s', 'the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got "0s"'],
    ['management=hang:0.1:2h', 'the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got "2h"'],
    ['management=hang:0.1:40ms', 'the hang duration of management must be 1s to 1h (e.g. 40s, 2m), got "40ms"'],
    ['management=hang:0.1:40s:1', '"hang:0.1:40s:1" is not hang:rate[:duration]'],
  ])('refuses "%s" with a one-line usage error (%s)', (value, detail) => {
    // Act
    let caught: unknown;
    try {
      parseFaultFlag([value]);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(UsageError);
    const message = (caught as UsageError).message;
    expect(message).toContain(detail);
    expect(message).toContain('use name=rate (errors) or name=hang:rate[:duration] (calls never answered, or answered after the duration) with names dynamodb, sqs, management and rates from 0 to 1');
    expect(message).not.toContain('\n');
    expect((caught as UsageError).exitCode).toBe(2);
  });
});

describe('Function: describeFaults', () => {
  it('lists the services with their rates as percentages and what their faulted calls meet, in a fixed order', () => {
    // Act & Assess
    expect(describeFaults({ management: { rate: 0.2 }, dynamodb: { rate: 0.125 } })).toBe('dynamodb 12.5 % of calls fail, management 20 % of calls fail');
    expect(describeFaults({ management: { rate: 0.05, kinds: ['hang'] }, sqs: { rate: 1, kinds: ['hang'], hangMs: 40_000 } })).toBe(
      'sqs 100 % of calls hang (answered after 40 s), management 5 % of calls hang (never answered)',
    );
  });
});
