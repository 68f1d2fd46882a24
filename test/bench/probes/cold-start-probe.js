// Cold-start probe: run with plain `node` in a fresh process, like a Lambda sandbox starting.
// argv: <bundle file> <handler export> <event JSON file>. Prints one JSON line:
// { bootMs, loadMs, invokeMs, ok, error? } — bootMs: process start to this line (Node's own
// start-up); loadMs: require() of the bundle (the init phase); invokeMs: the first invocation.
'use strict';
const bootMs = performance.now();
const fs = require('node:fs');
const [bundleFile, handlerExport, eventFile] = process.argv.slice(2);
const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'cold-start-probe',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cold-start-probe',
  memoryLimitInMB: '256',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/cold-start-probe',
  logStreamName: 'probe',
  getRemainingTimeInMillis: () => 10_000,
};
const loadStarted = performance.now();
const handler = require(bundleFile)[handlerExport];
const loadMs = performance.now() - loadStarted;
const invokeStarted = performance.now();
Promise.resolve()
  .then(() => handler(event, context))
  .then(
    (result) => ({ ok: true, result }),
    (error) => ({ ok: false, error: String(error && error.stack ? error.stack : error) }),
  )
  .then((outcome) => {
    const invokeMs = performance.now() - invokeStarted;
    process.stdout.write(`${JSON.stringify({ bootMs, loadMs, invokeMs, ...outcome })}\n`, () => process.exit(0));
  });
