import { AWS_ID_PATTERN, awsId, randomApiId, traceId } from '../../../../src/local/gateway/ids';

describe('Function: awsId', () => {
  it('makes 16-character ids like API Gateway connection and request ids (11 bytes, base64url, one "=")', () => {
    const id = awsId();

    expect(id).toMatch(AWS_ID_PATTERN);
    expect(id).toHaveLength(16);
    expect(Buffer.from(id.slice(0, 15), 'base64url')).toHaveLength(11);
    // Real examples match the same pattern.
    for (const real of ['L0SM9cOFvHcCIhw=', 'TXzPWdnOjoECGjA=', 'JC1dgf9yoAMCK-g=', 'U_vNtdtRIAMCIoA=']) expect(real).toMatch(AWS_ID_PATTERN);
  });

  it('never repeats an id, even many within one millisecond', () => {
    const made = new Set(Array.from({ length: 70_000 }, () => awsId()));

    expect(made.size).toBe(70_000);
  });

  it('starts ids with the time, so ids made together share a prefix, as on AWS', () => {
    const [a, b] = [awsId(), awsId()];

    expect(Buffer.from(a.slice(0, 15), 'base64url').readUIntBE(0, 6)).toBeLessThanOrEqual(Date.now());
    expect(a.slice(0, 5)).toBe(b.slice(0, 5));
  });
});

describe('Function: traceId', () => {
  it('makes an X-Amzn-Trace-Id root', () => {
    expect(traceId(Date.UTC(2024, 1, 19))).toMatch(/^Root=1-65d29a00-[0-9a-f]{24}$/);
  });
});

describe('Function: randomApiId', () => {
  it('makes 10 lowercase letters and digits', () => {
    expect(randomApiId()).toMatch(/^[a-z0-9]{10}$/);
  });
});
