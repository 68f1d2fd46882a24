import { UsageError } from '../../../src/cli/cli-support';
import { describeBehaviours, parseBehaviourFlags, parseIndexLag, parseRate } from '../../../src/cli/behaviour-flags';

describe('Function: parseBehaviourFlags', () => {
  it('turns the three flags into the local stack options', () => {
    // Act
    const options = parseBehaviourFlags({ 'index-lag': '1000', 'sqs-duplicates': '0.1', 'drop-disconnect': '.25' });

    // Assess
    expect(options).toEqual({ indexLagMs: 1000, sqsDuplicates: { rate: 0.1 }, dropDisconnects: { rate: 0.25 } });
  });

  it('sets nothing for absent flags', () => {
    expect(parseBehaviourFlags({})).toEqual({});
  });
});

describe('Function: parseIndexLag', () => {
  it.each([
    ['0', 0],
    ['600000', 600_000],
  ])('accepts %s', (value, expected) => {
    expect(parseIndexLag(value)).toBe(expected);
  });

  it.each(['-1', '1.5', '600001', '1e3', '', 'fast'])('refuses "%s" with a one-line usage error', (value) => {
    expect(() => parseIndexLag(value)).toThrow(UsageError);
    expect(() => parseIndexLag(value)).toThrow(`--index-lag must be a whole number of milliseconds from 0 to 600000, got "${value}"`);
  });
});

describe('Function: parseRate', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['0.05', 0.05],
  ])('accepts %s', (value, expected) => {
    expect(parseRate(value, 'sqs-duplicates')).toBe(expected);
  });

  it.each(['1.01', '-0.1', '10%', '1e-1', 'NaN', ''])('refuses "%s" with a one-line usage error naming the flag', (value) => {
    expect(() => parseRate(value, 'drop-disconnect')).toThrow(`--drop-disconnect must be a fraction from 0 to 1 (e.g. 0.1), got "${value}"`);
  });
});

describe('Function: describeBehaviours', () => {
  it('names each behaviour that is on, in one line', () => {
    expect(describeBehaviours({ indexLagMs: 500, sqsDuplicates: { rate: 0.1 }, dropDisconnects: { rate: 0.125 } })).toBe(
      'Production behaviours: global secondary indexes show writes 500 ms late; 10 % of queue messages are delivered twice; 12.5 % of $disconnect invocations never happen.',
    );
  });

  it('says nothing when none is on', () => {
    expect(describeBehaviours({})).toBeUndefined();
    expect(describeBehaviours({ indexLagMs: 0, sqsDuplicates: { rate: 0 }, dropDisconnects: { rate: 0 } })).toBeUndefined();
  });
});
