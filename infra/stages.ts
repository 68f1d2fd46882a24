/**
 * The stages of ws-notify, declared once. The CDK app (infra/app.ts), the local runtime
 * (src/local) and the tooling (src/cli: token, notify, keys) all read this module; there is
 * no second copy of any of it. Each stage's stack holds the WsNotify construct with the stage's
 * settings (infra/ws-notify-stack.ts).
 */
import { DEFAULT_INBOX_RETENTION_SECONDS, DEFAULT_MAX_CONNECTIONS_PER_USER, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../src/commons/constants';
import { type AuthMode, type JwtAlgorithm, type LogLevel, type WsNotifyConcurrency, type WsNotifyThrottling } from './ws-notify';

export type { AuthMode, JwtAlgorithm, LogLevel } from './ws-notify';
export const AUTH_MODES: readonly AuthMode[] = ['authorizer', 'action'];

/** Where the verification key comes from. */
export type KeySource =
  /** The stage's ES256 key pair made by `npm run keys -- --stage S` in `.keys/`; the public JWK is baked into the functions. */
  | { readonly kind: 'generated' }
  /** An external identity provider's JWKS endpoint; ws-notify cannot issue tokens for such a stage. */
  | { readonly kind: 'jwks'; readonly jwksUrl: string };

export interface JwtSettings {
  /** Required `iss` claim. */
  readonly issuer: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /** Algorithm allow-list. Generated keys are ES256. */
  readonly algorithms: readonly JwtAlgorithm[];
  readonly keySource: KeySource;
}

export interface StageConfig {
  /** Stage name: the WebSocket stage, the path segment (`wss://…/<name>`), part of the stack name. */
  readonly name: string;
  readonly authMode: AuthMode;
  readonly jwt: JwtSettings;
  /** Mode `action`: seconds a connection may stay pending before it is closed (SQS DelaySeconds, 1–900). */
  readonly authorizeDeadlineSeconds: number;
  /** When set, a handshake whose `Origin` header is present and not listed is refused with 403. */
  readonly allowedOrigins?: readonly string[];
  readonly logLevel: LogLevel;
  /**
   * Longest lifetime (`exp` − `iat`) of a token the stage accepts, seconds (1 s to one year).
   * Default 86,400 (24 h). `npm run token --ttl` refuses longer lifetimes.
   */
  readonly maxTokenLifetimeSeconds?: number;
  /**
   * The most connections one user may hold (1–10,000). Default 20. Beyond it mode `authorizer`
   * refuses the handshake with 429 and mode `action` answers `authorize` with
   * `too_many_connections` (the connection stays pending).
   */
  readonly maxConnectionsPerUser?: number;
  /**
   * How long the user's inbox keeps a notification for `resume`, seconds (1 s to one year).
   * Default 86,400 (24 h). `npm start -- --inbox-retention S` overrides it.
   */
  readonly inboxRetentionSeconds?: number;
  readonly throttling: WsNotifyThrottling;
  /** Keep the connections table and log groups when the stack is deleted. */
  readonly retainData: boolean;
  /**
   * Caps on the notification consumers (the deployed stages), concurrency reserved for the handshake
   * (only `prod`: a new account may not have the concurrency to reserve). Unset: Lambda's defaults;
   * locally, the machine's cap. Why these figures: docs/operations.md, "Concurrency".
   */
  readonly concurrency?: WsNotifyConcurrency;
  /** Subscribed (e-mail) to the stage's alarm topic. */
  readonly alarmEmail?: string;
  /**
   * The local console (`npm start`) may sign tokens with this stage's generated key, and
   * `npm run token` makes the key pair on first use. Only for a throwaway development key (`local`):
   * any process on the machine can then get a token the stage accepts. Default false.
   */
  readonly consoleTokens?: boolean;
  /** Optional deployment target; env-agnostic when absent. */
  readonly env?: { readonly account?: string; readonly region?: string };
}

/**
 * MaximumConcurrency of the notification consumers' mappings in the deployed stages: the consumers
 * behave in `dev` as in `prod`, and a cap takes nothing from the account. `local` leaves them to the
 * machine's cap (docs/local.md).
 */
const CONSUMER_CONCURRENCY = { notifyUser: 10, notifyConnection: 20 } as const;

/** Issuer and audience of a stage whose keys ws-notify generates. */
export function generatedKeyJwt(stageName: string): JwtSettings {
  return {
    issuer: `https://ws-notify.local/${stageName}`,
    audience: `ws-notify-${stageName}`,
    algorithms: ['ES256'],
    keySource: { kind: 'generated' },
  };
}

export const STAGES = {
  local: {
    name: 'local',
    authMode: 'authorizer',
    jwt: generatedKeyJwt('local'),
    authorizeDeadlineSeconds: 30,
    logLevel: 'INFO',
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    retainData: false,
    consoleTokens: true,
    // The benchmark fans a notification out to 1,000 connections of one user on this stage.
    maxConnectionsPerUser: 1000,
  },
  dev: {
    name: 'dev',
    authMode: 'action',
    jwt: generatedKeyJwt('dev'),
    authorizeDeadlineSeconds: 30,
    logLevel: 'DEBUG',
    throttling: { rateLimit: 100, burstLimit: 200 },
    retainData: false,
    concurrency: CONSUMER_CONCURRENCY,
  },
  prod: {
    name: 'prod',
    authMode: 'authorizer',
    jwt: generatedKeyJwt('prod'),
    authorizeDeadlineSeconds: 30,
    logLevel: 'INFO',
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    retainData: true,
    // Only prod reserves concurrency: a new account may not have the concurrency to reserve.
    concurrency: { ...CONSUMER_CONCURRENCY, authorizer: 100, connect: 100 },
  },
} as const satisfies Record<string, StageConfig>;

export type StageName = keyof typeof STAGES;

/** The stage's maximum token lifetime, seconds (its `maxTokenLifetimeSeconds`, default 24 h). */
export function maxTokenLifetimeSecondsOf(stage: Pick<StageConfig, 'maxTokenLifetimeSeconds'>): number {
  return stage.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
}

/** The stage's inbox retention, seconds (its `inboxRetentionSeconds`, default 24 h). */
export function inboxRetentionSecondsOf(stage: StageConfig): number {
  return stage.inboxRetentionSeconds ?? DEFAULT_INBOX_RETENTION_SECONDS;
}

/** The stage's maximum of connections per user (its `maxConnectionsPerUser`, default 20). */
export function maxConnectionsPerUserOf(stage: StageConfig): number {
  return stage.maxConnectionsPerUser ?? DEFAULT_MAX_CONNECTIONS_PER_USER;
}

export function stageNames(): string[] {
  return Object.keys(STAGES);
}

/** Thrown for a stage name that is not declared here; its message is one line for a CLI. */
export class UnknownStageError extends Error {
  override readonly name = 'UnknownStageError';
  readonly code = 'unknown_stage';
  constructor(readonly stage: string) {
    super(`unknown stage "${stage}" (known stages: ${stageNames().join(', ')})`);
  }
}

export function isStageName(name: string): name is StageName {
  return Object.prototype.hasOwnProperty.call(STAGES, name);
}

/** The declared stage of that name, or UnknownStageError. */
export function getStage(name: string): StageConfig {
  if (!isStageName(name)) throw new UnknownStageError(name);
  return STAGES[name];
}

/** Settings the local runtime may override by flag (`npm start` flags, docs/local.md). */
export interface StageOverrides {
  readonly authMode?: AuthMode;
  readonly authorizeDeadlineSeconds?: number;
  readonly allowedOrigins?: readonly string[];
  readonly inboxRetentionSeconds?: number;
}

/** A copy of the stage with the overrides applied; the CDK stack is built from the result. */
export function withOverrides(stage: StageConfig, overrides: StageOverrides): StageConfig {
  return {
    ...stage,
    ...(overrides.authMode !== undefined ? { authMode: overrides.authMode } : {}),
    ...(overrides.authorizeDeadlineSeconds !== undefined
      ? { authorizeDeadlineSeconds: overrides.authorizeDeadlineSeconds }
      : {}),
    ...(overrides.allowedOrigins !== undefined ? { allowedOrigins: overrides.allowedOrigins } : {}),
    ...(overrides.inboxRetentionSeconds !== undefined ? { inboxRetentionSeconds: overrides.inboxRetentionSeconds } : {}),
  };
}
