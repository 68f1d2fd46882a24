/**
 * The operational guard rails of the synthesized stage stacks (docs/operations.md): concurrency
 * per stage.
 */
import { logicalIdsOfType, render, SHIPPED_STAGES, synthesizeStage, type CfnJson } from './helpers/stack-template';
import { useTemporaryKeys } from './helpers/temporary-keys';

const FUNCTIONS = ['Authorizer', 'Connect', 'Disconnect', 'Authorize', 'Ping', 'Resume', 'Default', 'AuthorizeDeadline', 'NotifyUser', 'NotifyConnection'];

/** Each event source mapping's ScalingConfig, by the name of its function. */
function scalingByFunction(json: CfnJson): Record<string, unknown> {
  return Object.fromEntries(
    logicalIdsOfType(json, 'AWS::Lambda::EventSourceMapping').map((id) => {
      const props = json.Resources[id]!.Properties!;
      return [render(props.FunctionName).slice(1, -1), props.ScalingConfig];
    }),
  );
}

describe('Operations: the synthesized stage stacks', () => {
  useTemporaryKeys();

  describe('stage prod', () => {
    let json: CfnJson;
    beforeAll(() => {
      ({ json } = synthesizeStage('prod'));
    });

    it('caps the notification consumers: MaximumConcurrency 10 on NotifyUser, 20 on NotifyConnection, none on AuthorizeDeadline', () => {
      // Assess
      expect(scalingByFunction(json)).toEqual({ NotifyUser: { MaximumConcurrency: 10 }, NotifyConnection: { MaximumConcurrency: 20 }, AuthorizeDeadline: undefined });
    });

    it('reserves 100 concurrent executions for the Authorizer and for $connect, and for no other function', () => {
      // Assess
      const reserved = Object.fromEntries(FUNCTIONS.map((name) => [name, json.Resources[name]!.Properties!.ReservedConcurrentExecutions]));
      expect(reserved).toEqual({ ...Object.fromEntries(FUNCTIONS.map((name) => [name, undefined])), Authorizer: 100, Connect: 100 });
    });
  });

  describe.each(SHIPPED_STAGES.filter((name) => name !== 'prod'))('stage %s', (stageName) => {
    let json: CfnJson;
    beforeAll(() => {
      ({ json } = synthesizeStage(stageName));
    });

    it("reserves no concurrency (a new account may have none to reserve); caps the consumers as prod does in dev, not locally", () => {
      // Assess
      const capped = { NotifyUser: { MaximumConcurrency: 10 }, NotifyConnection: { MaximumConcurrency: 20 }, AuthorizeDeadline: undefined };
      const uncapped = { NotifyUser: undefined, NotifyConnection: undefined, AuthorizeDeadline: undefined };
      expect(scalingByFunction(json)).toEqual(stageName === 'dev' ? capped : uncapped);
      for (const id of logicalIdsOfType(json, 'AWS::Lambda::Function')) expect(json.Resources[id]!.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    });
  });
});
