import { parseDurationSeconds } from '../../../src/cli/durations';

describe('Function: parseDurationSeconds', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['3600', 3600],
    [' 1h ', 3600],
    ['1', 1],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '0', '0s', '-5', '1.5h', '5d', 'h', '1 h', '1H', 'abc', '99999999999999999999h'])('rejects "%s"', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});
