import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDirectory } from './project-paths';

/**
 * `.local/<stage>/endpoints.json` (docs/local.md): written by the local runtime when it is ready and
 * removed when it stops; read by `token`, `notify`, the console and scripts.
 */
export interface StageEndpoints {
  readonly stage: string;
  readonly authMode: 'authorizer' | 'action';
  readonly websocketUrl: string;
  readonly managementApiUrl: string;
  /** Local runtime only. */
  readonly dynamodbEndpoint?: string;
  /** Local runtime only. */
  readonly sqsEndpoint?: string;
  readonly tableName: string;
  /** Every queue and DLQ by its logical name: `NotifyUser`, `NotifyConnection`, … */
  readonly queues: Readonly<Record<string, string>>;
  /** Local runtime only: the web console. */
  readonly consoleUrl?: string;
  /** Local runtime only: the process that serves these endpoints. */
  readonly pid?: number;
  /** Local runtime of a CDK app (`ws-notify start --app`) only: the app, and how its emulated stack's tokens are signed. */
  readonly app?: AppStackEndpoints;
}

/** What `ws-notify token` needs to sign tokens for the stack of a CDK app that the local runtime runs. */
export interface AppStackEndpoints {
  /** The app's directory (absolute). */
  readonly directory: string;
  /** `iss` of the local tokens (the runtime's own issuer, not the app's identity provider). */
  readonly issuer: string;
  /** `aud` of the tokens: the app's, from its template. */
  readonly audience: string;
  /** The app's maximum token lifetime, seconds, from its template. */
  readonly maxTokenLifetimeSeconds: number;
  /** Where the runtime serves the local key's public JWK set, which the emulated stack verifies tokens with. */
  readonly jwksUrl: string;
}

export function stageStateDirectory(stage: string): string {
  return path.join(stateDirectory(), stage);
}

/** Where the running local stack of a stage publishes its endpoints. */
export function endpointsFilePath(stage: string): string {
  return path.join(stageStateDirectory(stage), 'endpoints.json');
}

/** Where `npm run deploy` publishes a deployed stage's endpoints (same shape). */
export function deployedEndpointsFilePath(stage: string): string {
  return path.join(stageStateDirectory(stage), 'deployed.json');
}

/** Writes atomically (temp file + rename) so a reader never sees half a file. */
export function writeEndpointsFile(file: string, endpoints: StageEndpoints): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(temp, file);
}

export function removeEndpointsFile(file: string): void {
  rmSync(file, { force: true });
}

/** The parsed file, or undefined when it does not exist. Throws on a file that is not valid JSON. */
export function readEndpointsFile(file: string): StageEndpoints | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as StageEndpoints;
}
