import {
  getEnumFromEnv,
  getIntegerFromEnv,
  getJsonFromEnv,
  getListFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '../../../src/commons/config';
import { ConfigurationError } from '../../../src/commons/errors';

function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('Function: getStringFromEnv', () => {
  it('returns the value', () => {
    expect(getStringFromEnv('TABLE', { TABLE: 'connections' })).toBe('connections');
  });

  it('reads process.env by default', () => {
    process.env.WS_NOTIFY_TEST_VARIABLE = 'from-process';
    try {
      expect(getStringFromEnv('WS_NOTIFY_TEST_VARIABLE')).toBe('from-process');
    } finally {
      delete process.env.WS_NOTIFY_TEST_VARIABLE;
    }
  });

  it.each([['absent', {}], ['empty', { TABLE: '' }], ['blank', { TABLE: '  ' }]])('throws when the variable is %s', (_name, env) => {
    const error = thrown(() => getStringFromEnv('TABLE', env));

    expect(error.code).toBe('missing_variable');
    expect(error.variable).toBe('TABLE');
    expect(error.message).toBe('environment variable TABLE is required');
  });
});

describe('Function: getOptionalStringFromEnv', () => {
  it('returns undefined for an absent or empty variable and the value otherwise', () => {
    expect(getOptionalStringFromEnv('X', {})).toBeUndefined();
    expect(getOptionalStringFromEnv('X', { X: '' })).toBeUndefined();
    expect(getOptionalStringFromEnv('X', { X: 'v' })).toBe('v');
  });
});

describe('Function: getIntegerFromEnv', () => {
  it('returns a whole number within bounds', () => {
    expect(getIntegerFromEnv('N', { min: 0, max: 900 }, { N: '30' })).toBe(30);
    expect(getIntegerFromEnv('N', { min: 0, max: 900 }, { N: ' 900 ' })).toBe(900);
  });

  it.each(['abc', '1.5', '-1', '901', '1e2'])('throws for "%s"', (value) => {
    const error = thrown(() => getIntegerFromEnv('N', { min: 0, max: 900 }, { N: value }));

    expect(error.code).toBe('invalid_variable');
  });
});

describe('Function: getListFromEnv', () => {
  it('splits on commas, trims and drops empty items', () => {
    expect(getListFromEnv('L', { L: 'https://a.example, https://b.example,,' })).toEqual(['https://a.example', 'https://b.example']);
  });

  it('returns an empty list for an absent or empty variable', () => {
    expect(getListFromEnv('L', {})).toEqual([]);
    expect(getListFromEnv('L', { L: '' })).toEqual([]);
  });
});

describe('Function: getEnumFromEnv', () => {
  it('returns an allowed value', () => {
    expect(getEnumFromEnv('MODE', ['authorizer', 'action'], { MODE: 'action' })).toBe('action');
  });

  it('throws for a value outside the set, naming the allowed ones', () => {
    const error = thrown(() => getEnumFromEnv('MODE', ['authorizer', 'action'], { MODE: 'cookie' }));

    expect(error.code).toBe('invalid_variable');
    expect(error.message).toContain('authorizer, action');
  });
});

describe('Function: getJsonFromEnv', () => {
  it('parses JSON and throws for anything else', () => {
    expect(getJsonFromEnv('J', { J: '{"a":1}' })).toEqual({ a: 1 });
    expect(thrown(() => getJsonFromEnv('J', { J: '{' })).code).toBe('invalid_variable');
  });
});
