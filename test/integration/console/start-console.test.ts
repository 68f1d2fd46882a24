/**
 * `npm start` serves the console on the gateway's port, prints its URL, publishes it in the
 * endpoints file, and still stops cleanly on SIGINT while a page holds its event stream open.
 */
import { npmStart, ThrowawayHome } from '../../helpers/npm-start';
import { EventStreamReader, httpRequest } from './console-http';

describe('Command: npm start (console)', () => {
  let home: ThrowawayHome;

  beforeEach(() => {
    home = new ThrowawayHome('ws-notify-console-start-');
  });

  afterEach(() => {
    home.remove();
  });

  it('prints the console URL, serves the page and its stream there, and exits 0 on SIGINT with the stream open', async () => {
    // From the run's template of stage local: start-command.test.ts shows npm start synthesizing.
    const child = npmStart(['--template', home.template(), '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0'], home.env);
    let stream: EventStreamReader | undefined;
    try {
      expect({ ready: await child.ready, stderr: child.stderr() }).toEqual({ ready: true, stderr: '' });
      const printed = /^ {2}Console: +(\S+)$/m.exec(child.stdout())?.[1];
      const endpoints = home.readEndpoints();

      expect(printed).toBe(endpoints.consoleUrl);
      expect(printed).toBe(`${endpoints.websocketUrl.replace(/^ws:/, 'http:').replace(/local$/, '')}`);
      const page = await httpRequest(printed!);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>ws-notify console</title>');
      stream = await EventStreamReader.open(`${printed!}api/events`);
      await stream.waitFor('snapshot');

      child.signal('SIGINT');

      expect((await child.exited).code).toBe(0);
      await stream.ended();
      expect(child.stdout()).toContain('Local stack stopped.');
      expect(child.stderr()).toBe('');
    } finally {
      stream?.close();
      child.kill();
    }
  });
});
