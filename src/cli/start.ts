/**
 * `ws-notify start [--stage S --auth-mode M --port P …]` or `ws-notify start --app DIR`: runs a
 * stage's synthesized stack, or the stack of a CDK app that holds the WsNotify construct, on this
 * machine (docs/local.md) until SIGINT or SIGTERM. A failure to start closes whatever had started
 * and exits 1.
 */
import path from 'node:path';
import { AUTH_MODES, type AuthMode, type StageConfig } from '../../infra/stages';
import type { LocalLogEntry, LocalStack } from '../local/runtime';
import { describeBehaviours, parseBehaviourFlags } from './behaviour-flags';
import { CliError, parsePort, parseSeconds, parseStage, UsageError } from './cli-support';
import { type CliStreams, defineCommand } from './command';
import { describeFaults, FAULT_SERVICES, parseFaultFlag } from './fault-flag';
import { describeLocalStack } from './start-banner';
import { runAsProcess } from './ws-notify';
import type * as Runtime from '../local/runtime';
import type * as LocalConsoleModule from '../local/console/local-console';
import type * as TemplateFile from '../local/template/template-file';

/** `npm start`'s defaults, also in docs/local.md; the runtime's own (LOCAL_DEFAULTS) are the same. */
const DEFAULT_PORTS = { port: '3001', dynamodb: '3002', sqs: '3003' } as const;

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

/** Prints the stack's log lines: info on stdout, warnings and errors on stderr. */
function logPrinter(streams: CliStreams): (entry: LocalLogEntry) => void {
  return (entry) => {
    const line = `[${entry.name}] ${entry.line}\n`;
    if (entry.level === 'info') streams.stdout.write(line);
    else streams.stderr.write(line);
  };
}

/** Flags that change the stage before it is synthesized: a CDK app's stack is synthesized by the app, as it is. */
const STAGE_FLAGS = ['stage', 'auth-mode', 'authorize-timeout', 'allowed-origins', 'inbox-retention'] as const;
/** Of those, the ones a template synthesized earlier already has in it (--template runs it as it is). */
const OVERRIDE_FLAGS = STAGE_FLAGS.filter((name) => name !== 'stage');

export const startCommand = defineCommand({
  name: 'start',
  summary: "run a stage's stack, or a CDK app's, on this machine (no AWS account)",
  usage: '[--stage NAME | --app DIR] [flags]',
  description: [
    "Runs the stage's synthesized CDK stack on this machine: an API Gateway WebSocket emulator, the Lambda",
    'functions, DynamoDB and SQS in memory, queue pollers. With --app, the stack of your CDK app that holds',
    'the WsNotify construct, synthesized by the app itself. Prints the endpoints and a client command, then',
    '"Local stack ready"; writes .local/<stage>/endpoints.json. Ctrl-C (SIGINT) or SIGTERM stops it.',
  ].join('\n'),
  flags: {
    stage: { type: 'string', value: 'NAME', expects: 'a stage of infra/stages.ts', description: 'the stage to run', defaultText: 'local' },
    app: {
      type: 'string',
      value: 'DIR',
      expects: 'the directory of a CDK app (its cdk.json) with ws-notify installed',
      description: 'run the stack of that app instead of a stage',
      defaultText: 'none',
    },
    stack: { type: 'string', value: 'NAME', expects: "a stack of the app's", description: 'with --app, the stack to run', defaultText: 'the one with a WebSocket API' },
    template: {
      type: 'string',
      value: 'FILE',
      expects: "the stage's template as cdk synth writes it, <stack>.template.json",
      description: "run this template of the stage, synthesized earlier (npx ws-notify synth --output DIR), instead of synthesizing it",
      defaultText: 'synthesize the stage',
    },
    'auth-mode': { type: 'string', value: 'MODE', expects: AUTH_MODES.join(' or '), description: "overrides the stage's auth mode", defaultText: "the stage's" },
    port: { type: 'string', value: 'N', expects: 'a port from 0 to 65535, 0 = any free port', description: 'gateway: WebSocket, Management API, console', default: DEFAULT_PORTS.port },
    'dynamodb-port': { type: 'string', value: 'N', expects: 'a port from 0 to 65535, 0 = any free port', description: 'embedded DynamoDB', default: DEFAULT_PORTS.dynamodb },
    'sqs-port': { type: 'string', value: 'N', expects: 'a port from 0 to 65535, 0 = any free port', description: 'embedded SQS', default: DEFAULT_PORTS.sqs },
    'authorize-timeout': {
      type: 'string',
      value: 'SECONDS',
      expects: 'a whole number of seconds from 1 to 900',
      description: 'mode action: how long a connection may stay pending',
      defaultText: "the stage's (30)",
    },
    'idle-timeout': { type: 'string', value: 'SECONDS', expects: 'a whole number of seconds, 1 or more', description: "API Gateway's idle timeout", defaultText: '600' },
    'max-connection-duration': {
      type: 'string',
      value: 'SECONDS',
      expects: 'a whole number of seconds, 1 or more',
      description: "API Gateway's maximum connection duration",
      defaultText: '7200',
    },
    'allowed-origins': { type: 'string', value: 'LIST', expects: 'origins separated by commas, e.g. https://app.example.com', description: 'handshakes from other origins get 403', defaultText: "the stage's" },
    'inbox-retention': { type: 'string', value: 'SECONDS', expects: 'a whole number of seconds, 1 or more', description: 'how long the inbox keeps a notification for resume', defaultText: "the stage's (86400)" },
    'visibility-timeout': { type: 'string', value: 'SECONDS', expects: 'a whole number of seconds, 1 or more', description: "every queue's visibility timeout", defaultText: "the template's" },
    fault: {
      type: 'string',
      value: 'FAULTS',
      expects: `name=rate or name=hang:rate[:duration such as 40s], comma-separated, names ${FAULT_SERVICES.join(', ')}, rates from 0 to 1`,
      description: 'that fraction of AWS calls fails with throttling or 5xx errors, or hangs',
      defaultText: 'none',
      multiple: true,
    },
    'index-lag': {
      type: 'string',
      value: 'MS',
      expects: 'a whole number of milliseconds from 0 to 600000',
      description: 'global secondary indexes show writes that much later, as on AWS',
      defaultText: '0',
    },
    'sqs-duplicates': { type: 'string', value: 'RATE', expects: 'a fraction from 0 to 1', description: 'that fraction of queue messages is delivered twice', defaultText: '0' },
    'drop-disconnect': { type: 'string', value: 'RATE', expects: 'a fraction from 0 to 1', description: 'that fraction of $disconnect invocations never happens', defaultText: '0' },
    quiet: { type: 'boolean', description: 'do not print function logs' },
  },
  examples: [
    'npx ws-notify start --port 0 --dynamodb-port 0 --sqs-port 0',
    'npx ws-notify start --stage dev --fault dynamodb=0.2',
    'npx ws-notify start --app docs/examples/existing-app',
  ],
  async run(flags, streams) {
    const appDirectory = flags.app === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), flags.app);
    if (appDirectory !== undefined) {
      const given = STAGE_FLAGS.filter((name) => flags[name] !== undefined);
      if (given.length > 0) throw new UsageError(`--${given[0]} cannot be used with --app: the app's stack is run as the app synthesizes it`);
    } else if (flags.stack !== undefined) {
      throw new UsageError('--stack needs --app: it names a stack of the app');
    }
    const templateFile = flags.template === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), flags.template);
    if (templateFile !== undefined) {
      if (appDirectory !== undefined) throw new UsageError('--template cannot be used with --app: the app synthesizes its own stack');
      const given = OVERRIDE_FLAGS.find((name) => flags[name] !== undefined);
      if (given !== undefined) throw new UsageError(`--${given} cannot be used with --template: the template is run as it was synthesized`);
    }
    const options = {
      ...(appDirectory === undefined
        ? { stage: parseStage(flags.stage ?? 'local').name }
        : { app: { directory: appDirectory, ...(flags.stack !== undefined ? { stackName: flags.stack } : {}) } }),
      authMode: parseAuthMode(flags['auth-mode']),
      port: parsePort(flags.port, 'port', Number(DEFAULT_PORTS.port)),
      dynamodbPort: parsePort(flags['dynamodb-port'], 'dynamodb-port', Number(DEFAULT_PORTS.dynamodb)),
      sqsPort: parsePort(flags['sqs-port'], 'sqs-port', Number(DEFAULT_PORTS.sqs)),
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
      throw new UsageError(`--authorize-timeout must be a whole number of seconds from 1 to 900 (SQS DelaySeconds), got "${options.authorizeTimeoutSeconds}"`);
    }

        // Loaded here, not at the top: `start --help` needs neither the CDK nor the runtime.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { startLocalStack, AppSynthesisError } = require('../local/runtime') as typeof Runtime;
    const { LocalConsole } = require('../local/console/local-console') as typeof LocalConsoleModule;
    const { readTemplateFile } = require('../local/template/template-file') as typeof TemplateFile;
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The console's page is bundled while the stack starts; it is served on the gateway's port.
    const localConsole = new LocalConsole(flags.quiet ? {} : { onLog: (message) => streams.stderr.write(`[console] ${message}\n`) });
    let stack: LocalStack;
    try {
      stack = await startLocalStack({
        ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
        ...(flags.quiet ? {} : { onLog: logPrinter(streams) }),
        ...(templateFile !== undefined ? { synthesize: ({ stage }: { stage: StageConfig }) => readTemplateFile(templateFile, stage) } : {}),
        httpFallback: localConsole.handler,
      });
    } catch (error) {
      // Whatever the runtime had started is closed by now; the console ends its page build.
      await localConsole.close();
      // An app that does not synthesize: its own output first, as `cdk synth` shows it.
      if (error instanceof AppSynthesisError && error.output !== '') streams.stderr.write(error.output.endsWith('\n') ? error.output : `${error.output}\n`);
      throw new CliError('start_failed', error instanceof Error ? error.message : String(error), { cause: error });
    }
    const running = stack;
    await localConsole.attach(running).catch(async (error: unknown) => {
      await Promise.all([localConsole.close(), running.close()]);
      throw error;
    });

    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      streams.stdout.write(`\n${signal}: closing ${running.gateway.connectionCount} connection(s) and stopping the local stack…\n`);
      Promise.all([localConsole.close(), running.close()]).then(
        () => {
          streams.stdout.write('Local stack stopped.\n');
          process.exit(0);
        },
        (error: unknown) => {
          streams.stderr.write(`start: the local stack did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);

    if (options.faults !== undefined) streams.stdout.write(`Fault injection: ${describeFaults(options.faults)}; failures are AWS's throttling or 5xx answers (the queue pollers are exempt).\n`);
    const behaviours = describeBehaviours(options);
    if (behaviours !== undefined) streams.stdout.write(`${behaviours}\n`);
    streams.stdout.write(describeLocalStack(running));
  },
});

if (require.main === module) runAsProcess('start');
