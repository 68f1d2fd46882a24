import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { queueClientConfig, regionFromQueueUrl, resolveStageEndpoints } from '../../../src/cli/stage-endpoints';
import type { StageEndpoints } from '../../../src/tooling/endpoints-file';
import { temporaryDirectory } from '../helpers/temp-dir';

const endpoints = (overrides: Partial<StageEndpoints> = {}): StageEndpoints => ({
  stage: 'dev',
  authMode: 'action',
  websocketUrl: 'wss://abc.execute-api.eu-west-1.amazonaws.com/dev',
  managementApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/dev',
  tableName: 't',
  queues: { NotifyUser: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ws-notify-dev-NotifyUser' },
  ...overrides,
});

describe('Function: regionFromQueueUrl', () => {
  it('reads the region of an AWS queue URL', () => {
    expect(regionFromQueueUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/q')).toBe('eu-west-1');
    expect(regionFromQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q')).toBe('cn-north-1');
    expect(regionFromQueueUrl('http://127.0.0.1:9324/000000000000/q')).toBeUndefined();
  });
});

describe('Function: queueClientConfig', () => {
  it('points a local stack at its endpoint with fake credentials in us-east-1', () => {
    const config = queueClientConfig({ kind: 'local', file: 'f', endpoints: endpoints({ sqsEndpoint: 'http://127.0.0.1:9324' }) }, 'http://127.0.0.1:9324/0/q');

    expect(config).toEqual(
      expect.objectContaining({ endpoint: 'http://127.0.0.1:9324', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
  });

  it('uses the default credential chain and the queue URL region for a deployed stage', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/q';

    expect(queueClientConfig({ kind: 'deployed', file: 'f', endpoints: endpoints() }, url)).toEqual({ region: 'eu-west-1' });
    expect(queueClientConfig({ kind: 'deployed', file: 'f', endpoints: endpoints() }, 'https://example.com/q')).toEqual({});
  });
});

describe('Function: resolveStageEndpoints', () => {
  let stateDir: { path: string; remove: () => void };
  const saved = process.env.WS_NOTIFY_STATE_DIR;

  const write = (file: string, content: unknown) => {
    mkdirSync(path.join(stateDir.path, 'dev'), { recursive: true });
    writeFileSync(path.join(stateDir.path, 'dev', file), JSON.stringify(content));
  };

  beforeEach(() => {
    stateDir = temporaryDirectory('ws-notify-state-');
    process.env.WS_NOTIFY_STATE_DIR = stateDir.path;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.WS_NOTIFY_STATE_DIR;
    else process.env.WS_NOTIFY_STATE_DIR = saved;
    stateDir.remove();
  });

  it('prefers a running local stack', () => {
    write('endpoints.json', endpoints({ pid: process.pid, sqsEndpoint: 'http://127.0.0.1:1' }));
    write('deployed.json', endpoints());

    expect(resolveStageEndpoints('dev').kind).toBe('local');
  });

  it('falls back to the deployed stage when the local stack is gone', () => {
    write('endpoints.json', endpoints({ pid: 2 ** 22 + 777 }));
    write('deployed.json', endpoints());

    expect(resolveStageEndpoints('dev')).toEqual(expect.objectContaining({ kind: 'deployed', endpoints: endpoints() }));
  });

  it('uses deployed.json when there is no local stack', () => {
    write('deployed.json', endpoints());

    expect(resolveStageEndpoints('dev').kind).toBe('deployed');
  });
});
