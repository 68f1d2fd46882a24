/**
 * `npm start [-- --stage S --auth-mode M --port P …]`: runs the stage's synthesized stack on this
 * machine (docs/local.md) until SIGINT or SIGTERM.
 */
import { AUTH_MODES, type AuthMode } from '../../infra/stages';
import { LocalConsole } from '../local/console/local-console';
import { LOCAL_DEFAULTS, startLocalStack, type LocalLogEntry, type LocalStack } from '../local/runtime';
import { describeBehaviours, parseBehaviourFlags } from './behaviour-flags';
import { parseFlags, parsePort, parseSeconds, parseStage, runCli, UsageError } from './cli-support';
import { describeFaults, parseFaultFlag } from './fault-flag';
import { describeLocalStack } from './start-banner';

const FLAGS = {
  stage: { type: 'string' },
  'auth-mode': { type: 'string' },
  port: { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'sqs-port': { type: 'string' },
  'authorize-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-connection-duration': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'inbox-retention': { type: 'string' },
  'visibility-timeout': { type: 'string' },
  fault: { type: 'string', multiple: true },
  'index-lag': { type: 'string' },
  'sqs-duplicates': { type: 'string' },
  'drop-disconnect': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

function parseAuthMode(value: string | undefined): AuthMode | undefined {
  if (value === undefined) return undefined;
  if (!(AUTH_MODES as readonly string[]).includes(value)) throw new UsageError(`--auth-mode must be one of ${AUTH_MODES.join(', ')}, got "${value}"`);
  return value as AuthMode;
}

function parseOrigins(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new UsageError(`--allowed-origins takes origins such as https://app.example.com, got "${origin}"`);
    }
    if (parsed.origin !== origin) throw new UsageError(`--allowed-origins takes origins without path or trailing slash, got "${origin}" (did you mean ${parsed.origin}?)`);
  }
  return origins;
}

function printLog(entry: LocalLogEntry): void {
  const line = `[${entry.name}] ${entry.line}\n`;
  if (entry.level === 'info') process.stdout.write(line);
  else process.stderr.write(line);
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, FLAGS);
  const options = {
    stage: parseStage(flags.stage ?? LOCAL_DEFAULTS.stage).name,
    authMode: parseAuthMode(flags['auth-mode']),
    port: parsePort(flags.port, 'port', LOCAL_DEFAULTS.port),
    dynamodbPort: parsePort(flags['dynamodb-port'], 'dynamodb-port', LOCAL_DEFAULTS.dynamodbPort),
    sqsPort: parsePort(flags['sqs-port'], 'sqs-port', LOCAL_DEFAULTS.sqsPort),
    authorizeTimeoutSeconds: parseSeconds(flags['authorize-timeout'], 'authorize-timeout'),
    idleTimeoutSeconds: parseSeconds(flags['idle-timeout'], 'idle-timeout'),
    maxConnectionDurationSeconds: parseSeconds(flags['max-connection-duration'], 'max-connection-duration'),
    visibilityTimeoutSeconds: parseSeconds(flags['visibility-timeout'], 'visibility-timeout'),
    allowedOrigins: parseOrigins(flags['allowed-origins']),
    inboxRetentionSeconds: parseSeconds(flags['inbox-retention'], 'inbox-retention'),
    faults: parseFaultFlag(flags.fault),
    ...parseBehaviourFlags(flags),
  };
  if (options.authorizeTimeoutSeconds !== undefined && options.authorizeTimeoutSeconds > 900) {
    throw new UsageError(`--authorize-timeout is at most 900 seconds (SQS DelaySeconds), got ${options.authorizeTimeoutSeconds}`);
  }

  // The console's page is bundled while the stack starts; it is served on the gateway's port.
  const localConsole = new LocalConsole(flags.quiet === true ? {} : { onLog: (entry) => process.stderr.write(`[console] ${entry.message}\n`) });
  const stack: LocalStack = await startLocalStack({
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    ...(flags.quiet === true ? {} : { onLog: printLog }),
    httpFallback: localConsole.handler,
  });
  await localConsole.attach(stack).catch(async (error: unknown) => {
    await stack.close();
    throw error;
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: closing ${stack.gateway.connectionCount} connection(s) and stopping the local stack…\n`);
    Promise.all([localConsole.close(), stack.close()]).then(
      () => {
        process.stdout.write('Local stack stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`start: the local stack did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (options.faults !== undefined) process.stdout.write(`Fault injection: ${describeFaults(options.faults)} of calls fail with throttling or 5xx errors (the queue pollers are exempt).\n`);
  const behaviours = describeBehaviours(options);
  if (behaviours !== undefined) process.stdout.write(`${behaviours}\n`);
  process.stdout.write(describeLocalStack(stack));
}

runCli(main, 'start');
