/**
 * What `ws-notify start` prints once the local stack accepts traffic: its endpoints, how to connect
 * without printing a token (wscat, a devDependency, so `npx wscat` needs no download), and last
 * the `Local stack ready` line that scripts wait for.
 */
import path from 'node:path';
import type { LocalStack } from '../local/runtime';

/** `--stage X` for the commands, empty for the default stage. */
function stageFlag(stage: string): string {
  return stage === 'local' ? '' : ` --stage ${stage}`;
}

/** The token command as a shell command substitution: the token goes from one program to the other, never to the screen. */
function tokenCommand(stage: string, user: string): string {
  return `$(npx ws-notify token${stageFlag(stage)} --user ${user})`;
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

export function describeLocalStack(stack: LocalStack): string {
  const { endpoints, stage, model } = stack;
  const user = '1234';
  const serviceQueues = Object.keys(endpoints.queues).filter((name) => /^(NotifyUser|NotifyConnection|AuthorizeDeadline)$/.test(name));
  const ownQueues = Object.entries(endpoints.queues).filter(([name]) => !/^(NotifyUser|NotifyConnection|AuthorizeDeadline)(DeadLetter)?$/.test(name));
  const lines = [
    `ws-notify: stack ${stack.stackName}, stage "${model.api.stageName}", auth mode "${stage.authMode}"${endpoints.app ? ` (app ${shown(endpoints.app.directory)})` : ''}`,
    `  routes:           ${model.api.routes.map((route) => route.routeKey).join(' ')}${model.api.authorizer ? ' (REQUEST authorizer on $connect)' : ''}`,
    `  WebSocket:        ${endpoints.websocketUrl}`,
    `  Management API:   ${endpoints.managementApiUrl}/@connections/{connectionId}`,
    ...(endpoints.consoleUrl ? [`  Console:          ${endpoints.consoleUrl}`] : []),
    `  DynamoDB:         ${endpoints.dynamodbEndpoint ?? ''} (table ${endpoints.tableName})`,
    `  SQS:              ${endpoints.sqsEndpoint ?? ''} (queues ${serviceQueues.join(', ')} and their DLQs)`,
    ...ownQueues.map(([name, url]) => `  App queue:        ${name} ${url}`),
    ...(endpoints.app ? [`  Tokens:           signed by a local key (issuer ${endpoints.app.issuer}, JWKS ${endpoints.app.jwksUrl}), not the app's identity provider`] : []),
    ...(stack.endpointsFile ? [`  Endpoints file:   ${shown(stack.endpointsFile)}`] : []),
    '',
  ];
  if (stage.authMode === 'authorizer') {
    lines.push(
      `Connect as user ${user} (the token is made by the command, never printed):`,
      `  npx wscat -c "${endpoints.websocketUrl}?token=${tokenCommand(stage.name, user)}"`,
      'then send:',
      '  {"action":"ping","name":"you"}',
    );
  } else {
    lines.push(
      `Connect and authorize as user ${user}, then receive notifications (the token is made by the command, never printed):`,
      `  npx wscat -c ${endpoints.websocketUrl} -w -1 -x "$(printf '{"action":"authorize","token":"%s"}' "${tokenCommand(stage.name, user)}")"`,
    );
  }
  lines.push(
    `Notify every connection of user ${user}:`,
    `  npx ws-notify notify${stageFlag(stage.name)} --user ${user} --data '{"download":"/reports/42"}'`,
    '',
    `Local stack ready in ${(stack.startupMs / 1000).toFixed(1)} s: ${endpoints.websocketUrl} (Ctrl-C to stop)`,
    '',
  );
  return lines.join('\n');
}
