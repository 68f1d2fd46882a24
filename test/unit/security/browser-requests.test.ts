import type { IncomingMessage } from 'node:http';
import { isBrowserRequest } from '../../../src/local/services/browser-requests';

const requestWith = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('Function: isBrowserRequest', () => {
  it.each([
    ['a cross-site POST', { origin: 'https://evil.example.com' }],
    ['a same-origin POST (a DNS-rebinding page)', { origin: 'http://127.0.0.1:8000', 'sec-fetch-site': 'same-origin' }],
    ['a no-cors GET marked cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a request marked same-site', { 'sec-fetch-site': 'same-site' }],
  ])('recognises %s', (_name, headers) => {
    expect(isBrowserRequest(requestWith(headers))).toBe(true);
  });

  it.each([
    ['an SDK request', { 'content-type': 'application/x-amz-json-1.0', authorization: 'AWS4-HMAC-SHA256 …' }],
    ['a URL the user typed', { 'sec-fetch-site': 'none' }],
    ['curl', { 'user-agent': 'curl/8.5.0' }],
  ])('lets %s through', (_name, headers) => {
    expect(isBrowserRequest(requestWith(headers))).toBe(false);
  });
});
