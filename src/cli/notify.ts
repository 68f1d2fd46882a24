/**
 * `ws-notify notify --user <id> | --connection <id> --data <json> [--id <id>] [--stage local]`:
 * sends a notification with the publisher (src/publisher) to the stage's NotifyUser or
 * NotifyConnection queue and prints the queue message id alone. The queues come from
 * `.local/<stage>/endpoints.json` (a running local stack) or else `.local/<stage>/deployed.json`
 * (a deployed stage). Like the publisher, it gives every notification an id (`--id`, else a UUID).
 * Errors: one line on stderr.
 */
import path from 'node:path';
import { parseJson } from '../commons/codecs';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../commons/constants';
import { InvalidNotificationError, NotifyPublisher, StageEndpointsError } from '../publisher';
import { connectionNotificationMessage, userNotificationMessage, type NotificationMessage } from '../publisher/notification-message';
import { CliError, parseStageOrAppStack, UsageError } from './cli-support';
import { defineCommand } from './command';
import { runAsProcess } from './ws-notify';

type Target = { readonly userId: string } | { readonly connectionId: string };

/** The publisher's checks, before any endpoint is looked up; a refusal is a usage error. */
function checkedMessage(target: Target, data: unknown, id: string | undefined): NotificationMessage {
  try {
    const options = id === undefined ? {} : { id };
    return 'userId' in target ? userNotificationMessage(target.userId, data, options) : connectionNotificationMessage(target.connectionId, data, options);
  } catch (error) {
    if (!(error instanceof InvalidNotificationError)) throw error;
    switch (error.code) {
      case 'invalid_user_id':
        throw new UsageError('--user must be 1 to 128 characters');
      case 'invalid_connection_id':
        throw new UsageError('--connection must be 1 to 128 characters');
      case 'invalid_id':
        throw new UsageError('--id must be 1 to 128 characters');
      case 'notification_too_large':
        throw new UsageError(
          `--data is too large: the notification would be ${error.frameBytes} bytes, over the ${MAX_WEBSOCKET_MESSAGE_BYTES}-byte WebSocket limit`,
        );
      case 'invalid_data':
        throw new UsageError(`--data ${error.message}`);
    }
  }
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === '' || relative.startsWith('..') ? file : relative;
}

/** The stage's publisher; the publisher's endpoint errors in the words of this command. */
function stagePublisher(stage: string): NotifyPublisher {
  try {
    return NotifyPublisher.forStage(stage);
  } catch (error) {
    if (!(error instanceof StageEndpointsError)) throw error;
    switch (error.code) {
      case 'endpoints_not_found':
        throw new CliError(
          'endpoints_unavailable',
          `no endpoints for stage "${stage}": start the local stack (npx ws-notify start --stage ${stage}) or deploy the stage (npx ws-notify deploy --stage ${stage})`,
        );
      case 'local_stack_not_running':
        throw new CliError('endpoints_unavailable', `the local stack of stage "${stage}" is not running (${shown(error.file ?? '')} is stale): start it with npx ws-notify start --stage ${stage}`);
      case 'invalid_endpoints_file':
        throw new CliError('invalid_endpoints_file', error.message, { cause: error });
      case 'invalid_stage_name':
        throw new CliError('invalid_usage', error.message, { cause: error });
    }
  }
}

export const notifyCommand = defineCommand({
  name: 'notify',
  summary: "send a notification to a user or a connection through a stage's queues",
  usage: '--user ID | --connection ID --data JSON [--id ID] [--stage NAME]',
  description: [
    "Sends {\"userId\"|\"connectionId\", \"data\", \"id\"} to the stage's NotifyUser or NotifyConnection queue",
    'with the publisher (ws-notify/publisher) and prints the queue message id alone. The queues are those',
    'of the running local stack (.local/<stage>/endpoints.json), else of the deployed stage',
    '(.local/<stage>/deployed.json, written by ws-notify deploy).',
  ].join('\n'),
  flags: {
    user: { type: 'string', value: 'ID', expects: '1 to 128 characters', description: 'every connection of this user (NotifyUser)', defaultText: 'none' },
    connection: { type: 'string', value: 'ID', expects: 'a connection id', description: 'this connection only (NotifyConnection)', defaultText: 'none' },
    data: { type: 'string', value: 'JSON', expects: 'a JSON value, e.g. \'{"download":"/reports/42"}\' or \'"hello"\'', description: 'what the client receives as data', required: true },
    id: { type: 'string', value: 'ID', expects: '1 to 128 characters', description: "the notification's id (a retry with the same id is a duplicate)", defaultText: 'a new UUID' },
    stage: {
      type: 'string',
      value: 'NAME',
      expects: 'a stage of infra/stages.ts, or the stack name of a running `start --app`',
      description: 'whose queues',
      default: 'local',
    },
  },
  examples: [`npx ws-notify notify --user 1234 --data '{"download":"/reports/42"}'`, `npx ws-notify notify --connection "$CONNECTION_ID" --data '"hello"' --stage dev`],
  async run(flags, streams) {
    if ((flags.user === undefined) === (flags.connection === undefined)) {
      throw new UsageError('give exactly one of --user and --connection');
    }
    const data = parseJson(flags.data);
    if (!data.ok) throw new UsageError('--data must be valid JSON (quote a string: \'"hello"\')');
    const target: Target = flags.user !== undefined ? { userId: flags.user } : { connectionId: flags.connection ?? '' };
    const { id } = checkedMessage(target, data.value, flags.id);

    const publisher = stagePublisher(parseStageOrAppStack(flags.stage).name);
    try {
      const { messageId } =
        'userId' in target
          ? await publisher.notifyUser(target.userId, data.value, { id })
          : await publisher.notifyConnection(target.connectionId, data.value, { id });
      streams.stdout.write(`${messageId}\n`);
    } finally {
      publisher.destroy();
    }
  },
});

if (require.main === module) runAsProcess('notify');
