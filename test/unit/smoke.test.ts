import { generateKeyPair, SignJWT, jwtVerify } from 'jose';

describe('toolchain', () => {
  it('transforms jose (ESM-only) for jest', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('u1').sign(privateKey);
    const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['ES256'] });
    expect(payload.sub).toBe('u1');
  });
});
