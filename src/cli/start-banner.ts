/**
 * What `npm start` prints once the local stack accepts traffic: its endpoints, how to connect
 * without printing a token, and last the `Local stack ready` line that scripts wait for.
 */
import path from 'node:path';
import type { LocalStack } from '../local/runtime';

/** `npm run -s token -- …` for the stage, as a shell command substitution. */
function tokenCommand(stage: string, user: string): string {
  const stageFlag = stage === 'local' ? '' : ` --stage ${stage}`;
  return `$(npm run -s token --${stageFlag} --user ${user})`;
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}

export function describeLocalStack(stack: LocalStack): string {
  const { endpoints, stage, model } = stack;
  const user = '1234';
  const stageFlag = stage.name === 'local' ? '' : ` --stage ${stage.name}`;
  const queues = Object.keys(endpoints.queues).filter((name) => !name.endsWith('DeadLetter'));
  const lines = [
    `ws-notify: stack ${stack.stackName}, stage "${stage.name}", auth mode "${stage.authMode}"`,
    `  routes:           ${model.api.routes.map((route) => route.routeKey).join(' ')}${model.api.authorizer ? ' (REQUEST authorizer on $connect)' : ''}`,
    `  WebSocket:        ${endpoints.websocketUrl}`,
    `  Management API:   ${endpoints.managementApiUrl}/@connections/{connectionId}`,
    ...(endpoints.consoleUrl ? [`  Console:          ${endpoints.consoleUrl}`] : []),
    `  DynamoDB:         ${endpoints.dynamodbEndpoint ?? ''} (table ${endpoints.tableName})`,
    `  SQS:              ${endpoints.sqsEndpoint ?? ''} (queues ${queues.join(', ')} and their DLQs)`,
    ...(stack.endpointsFile ? [`  Endpoints file:   ${shown(stack.endpointsFile)}`] : []),
    '',
  ];
  if (stage.authMode === 'authorizer') {
    lines.push(
      'Connect as user 1234 (the token is made by the command, never printed):',
      `  websocat "${endpoints.websocketUrl}?token=${tokenCommand(stage.name, user)}"`,
      'then send:',
      '  {"action":"ping","name":"you"}',
    );
  } else {
    lines.push(
      'Connect, then authorize as user 1234 within the deadline (the token is made by the command, never printed):',
      `  (printf '{"action":"authorize","token":"%s"}\\n' "${tokenCommand(stage.name, user)}"; cat) | websocat ${endpoints.websocketUrl}`,
      'then send:',
      '  {"action":"ping","name":"you"}',
    );
  }
  lines.push(
    'Notify every connection of user 1234:',
    `  npm run notify --${stageFlag} --user ${user} --data '{"download":"/reports/42"}'`,
    '',
    `Local stack ready in ${(stack.startupMs / 1000).toFixed(1)} s: ${endpoints.websocketUrl} (Ctrl-C to stop)`,
    '',
  );
  return lines.join('\n');
}
