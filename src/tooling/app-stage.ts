/**
 * The stack of a CDK app that the local runtime runs (`ws-notify start --app DIR`, docs/local.md)
 * as a stage the commands know by the stack's name while it runs: `ws-notify token --stage
 * ExistingApp` signs tokens that its emulated stack accepts, `ws-notify notify --stage
 * ExistingApp` sends to its queues. Its tokens are signed with a key the runtime generates for
 * that stack, under an issuer of its own; the app's identity provider is never involved, and the
 * app's deployed stack never trusts that key.
 */
import { generatedKeyJwt } from '../../infra/stages';
import { endpointsFilePath, readEndpointsFile, type AppStackEndpoints } from './endpoints-file';
import { type TokenStage } from './stage-tokens';

/** `iss` of the tokens of an app's stack run locally. */
export function appStackIssuer(stackName: string): string {
  return generatedKeyJwt(stackName).issuer;
}

/** The token settings of an app's stack run locally: the runtime's issuer and generated ES256 key, the app's audience and maximum lifetime. */
export function appTokenStage(stackName: string, app: Pick<AppStackEndpoints, 'audience' | 'maxTokenLifetimeSeconds'>): TokenStage {
  return {
    name: stackName,
    jwt: { ...generatedKeyJwt(stackName), audience: app.audience },
    maxTokenLifetimeSeconds: app.maxTokenLifetimeSeconds,
    // A throwaway key of this machine's emulated stack: the console may sign with it too.
    consoleTokens: true,
  };
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stage of the app stack of that name that a local runtime of this machine runs now, if any. */
export function runningAppStage(stackName: string): TokenStage | undefined {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) return undefined;
  let endpoints;
  try {
    endpoints = readEndpointsFile(endpointsFilePath(stackName));
  } catch {
    return undefined;
  }
  if (endpoints?.app === undefined || !isRunning(endpoints.pid)) return undefined;
  return appTokenStage(stackName, endpoints.app);
}
