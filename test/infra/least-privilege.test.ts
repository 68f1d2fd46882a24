import { getStage, withOverrides, type StageConfig } from '../../infra/stages';
import { logicalIdsOfType, render, SHIPPED_STAGES, synthesizeStage, type CfnJson } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every (action, resource) a function's role is allowed, as `action on resource` strings. */
function grantsOf(json: CfnJson, functionId: string): string[] {
  const role = render((json.Resources[functionId]!.Properties!.Role)).replace(/^<(\w+)\.Arn>$/, '$1');
  const roleProps = json.Resources[role]!.Properties!;
  expect(roleProps.ManagedPolicyArns).toBeUndefined();
  expect(roleProps.Policies).toBeUndefined();
  const grants: string[] = [];
  for (const policyId of logicalIdsOfType(json, 'AWS::IAM::Policy')) {
    const props = json.Resources[policyId]!.Properties!;
    if (!(props.Roles as unknown[]).some((ref) => render(ref) === `<${role}>`)) continue;
    for (const statement of (props.PolicyDocument as { Statement: Statement[] }).Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition).toBeUndefined();
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      const resources = Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource];
      for (const action of actions) for (const resource of resources) grants.push(`${action} on ${render(resource)}`);
    }
  }
  return grants.sort();
}

function logGroupOf(json: CfnJson, functionId: string): string {
  return render((json.Resources[functionId]!.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup).slice(1, -1);
}

/** docs/architecture.md, column "rights", for a stage. */
function expectedGrants(json: CfnJson, stage: StageConfig): Record<string, string[]> {
  const table = '<ConnectionsTable.Arn>';
  const inbox = '<InboxTable.Arn>';
  const connections = (method: string) =>
    `execute-api:ManageConnections on arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<WebSocketApi>/${stage.name}/${method}/@connections/*`;
  const consume = (queue: string) => ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((action) => `${action} on <${queue}.Arn>`);
  const logs = (fn: string) => [`logs:CreateLogStream on <${logGroupOf(json, fn)}.Arn>`, `logs:PutLogEvents on <${logGroupOf(json, fn)}.Arn>`];
  const rights: Record<string, string[]> = {
    Connect: [
      `dynamodb:PutItem on ${table}`,
      ...(stage.authMode === 'action'
        ? ['sqs:SendMessage on <AuthorizeDeadlineQueue.Arn>']
        : [`dynamodb:DeleteItem on ${table}`, `dynamodb:Query on ${table}/index/byUser`, `dynamodb:PutItem on ${inbox}`, connections('GET')]),
    ],
    Disconnect: [`dynamodb:DeleteItem on ${table}`],
    Authorize: [
      `dynamodb:GetItem on ${table}`,
      `dynamodb:UpdateItem on ${table}`,
      `dynamodb:DeleteItem on ${table}`,
      `dynamodb:Query on ${table}/index/byUser`,
      `dynamodb:PutItem on ${inbox}`,
      connections('POST'),
      connections('DELETE'),
      connections('GET'),
    ],
    Ping: [`dynamodb:GetItem on ${table}`],
    Resume: [`dynamodb:GetItem on ${table}`, `dynamodb:GetItem on ${inbox}`, `dynamodb:Query on ${inbox}`, connections('POST')],
    Default: [`dynamodb:GetItem on ${table}`],
    AuthorizeDeadline: [
      `dynamodb:GetItem on ${table}`,
      `dynamodb:DeleteItem on ${table}`,
      connections('POST'),
      connections('DELETE'),
      ...consume('AuthorizeDeadlineQueue'),
      'sqs:SendMessage on <AuthorizeDeadlineDeadLetterQueue.Arn>',
    ],
    NotifyUser: [
      `dynamodb:Query on ${table}/index/byUser`,
      `dynamodb:GetItem on ${inbox}`,
      `dynamodb:PutItem on ${inbox}`,
      `dynamodb:UpdateItem on ${inbox}`,
      `dynamodb:Query on ${inbox}`,
      `dynamodb:Query on ${inbox}/index/byId`,
      'sqs:SendMessage on <NotifyConnectionQueue.Arn>',
      ...consume('NotifyUserQueue'),
      'sqs:SendMessage on <NotifyUserDeadLetterQueue.Arn>',
    ],
    NotifyConnection: [
      `dynamodb:GetItem on ${table}`,
      `dynamodb:BatchGetItem on ${table}`,
      `dynamodb:DeleteItem on ${table}`,
      connections('POST'),
      ...consume('NotifyConnectionQueue'),
      'sqs:SendMessage on <NotifyConnectionDeadLetterQueue.Arn>',
    ],
    ...(stage.authMode === 'authorizer' ? { Authorizer: [] } : {}),
  };
  return Object.fromEntries(Object.entries(rights).map(([fn, grants]) => [fn, [...grants, ...logs(fn)].sort()]));
}

describe('Least privilege (synthesized IAM policies)', () => {
  useTemporaryKeys();

  const cases: [string, StageConfig][] = [
    ...SHIPPED_STAGES.map((name): [string, StageConfig] => [name, getStage(name)]),
    ['local in mode action', withOverrides(getStage('local'), { authMode: 'action' })],
  ];

  describe.each(cases)('stage %s', (_label, stage) => {
    let json: CfnJson;
    beforeAll(() => {
      ({ json } = synthesizeStage(stage));
    });

    it('gives each function exactly the rights of the architecture table, and its own log group', () => {
      // Prepare
      const expected = expectedGrants(json, stage);

      // Assess
      expect(logicalIdsOfType(json, 'AWS::Lambda::Function').sort()).toEqual(Object.keys(expected).sort());
      for (const [fn, grants] of Object.entries(expected)) {
        expect({ fn, grants: grantsOf(json, fn) }).toEqual({ fn, grants });
      }
    });

    it('grants no wildcard action and no wildcard resource outside @connections and log streams', () => {
      for (const policyId of logicalIdsOfType(json, 'AWS::IAM::Policy')) {
        for (const statement of (json.Resources[policyId]!.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
          const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
          for (const action of actions) expect(action).not.toContain('*');
          const resources = Array.isArray(statement.Resource) ? (statement.Resource as unknown[]) : [statement.Resource];
          for (const resource of resources) {
            const rendered = render(resource);
            expect(rendered).not.toBe('*');
            if (rendered.includes('*')) expect(rendered).toMatch(/\/(POST|DELETE|GET)\/@connections\/\*$/);
          }
        }
      }
    });

    it('lets only Connect (mode action) send to the deadline queue, and Connect and Ping nothing to NotifyUser', () => {
      // Prepare
      const senders = (queue: string) =>
        logicalIdsOfType(json, 'AWS::Lambda::Function').filter((fn) => grantsOf(json, fn).includes(`sqs:SendMessage on <${queue}.Arn>`));

      // Assess
      expect(senders('NotifyUserQueue')).toEqual([]);
      expect(senders('NotifyConnectionQueue')).toEqual(['NotifyUser']);
      expect(senders('AuthorizeDeadlineQueue')).toEqual(stage.authMode === 'action' ? ['Connect'] : []);
      for (const fn of ['Connect', 'Ping']) expect(grantsOf(json, fn).filter((grant) => grant.startsWith('sqs:'))).toEqual(stage.authMode === 'action' && fn === 'Connect' ? ['sqs:SendMessage on <AuthorizeDeadlineQueue.Arn>'] : []);
    });

    it('lets only Authorize, AuthorizeDeadline, NotifyConnection, Resume and (mode authorizer) Connect manage @connections, on this stage only', () => {
      // Prepare
      const managers = logicalIdsOfType(json, 'AWS::Lambda::Function').filter((fn) => grantsOf(json, fn).some((grant) => grant.startsWith('execute-api:')));

      // Assess: Connect and Authorize GET a connection only to check the per-user connection limit.
      expect(managers.sort()).toEqual([...(stage.authMode === 'authorizer' ? ['Connect'] : []), 'Authorize', 'AuthorizeDeadline', 'NotifyConnection', 'Resume'].sort());
      for (const fn of managers) {
        for (const grant of grantsOf(json, fn).filter((g) => g.startsWith('execute-api:'))) {
          expect(grant).toMatch(new RegExp(`:<WebSocketApi>/${stage.name}/(POST|DELETE|GET)/@connections/\\*$`));
        }
      }
    });
  });
});
