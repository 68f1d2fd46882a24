/**
 * Keeps web pages away from the embedded services. They listen on 127.0.0.1 at well-known ports
 * (8000, 9324) with predictable table and queue names, and a page open in the developer's browser
 * can reach them: SQS takes the form-encoded query protocol (a "simple" request, sent without a
 * CORS preflight) and dynalite approves every preflight (`Access-Control-Allow-Origin: *`). Any
 * site could then send notifications to local users, read the connections table, or rewrite who a
 * connection belongs to. On AWS both services need a SigV4 signature, which no page can make.
 *
 * Browsers mark their requests: `Origin` on every cross-origin request and on every POST, and
 * `Sec-Fetch-Site` on every request (`none` only for one the user typed). The AWS SDK, the AWS CLI
 * and the runtime's own pollers send neither, so refusing requests that carry them costs nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** True when a browser made the request on behalf of a page. */
export function isBrowserRequest(request: IncomingMessage): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  return request.headers.origin !== undefined || (fetchSite !== undefined && fetchSite !== 'none');
}

/**
 * Answers a page's request with 403 (no CORS headers, so the page cannot even read the refusal)
 * and returns true; returns false for any other request.
 */
export function refuseBrowserRequest(request: IncomingMessage, response: ServerResponse, service: 'DynamoDB' | 'SQS'): boolean {
  if (!isBrowserRequest(request)) return false;
  request.resume();
  const body = JSON.stringify({
    __type: 'com.amazon.coral.service#AccessDeniedException',
    message: `the local ${service} does not answer requests from web pages`,
  });
  response.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
  return true;
}
