/**
 * The stages of ws-notify, declared once. The CDK app (infra/app.ts), the local runtime
 * (src/local) and the tooling (src/cli: token, notify, keys) all read this module; there is
 * no second copy of any of it. Each stage's stack holds the WsNotify construct with the stage's
 * settings (infra/ws-notify-stack.ts). This module loads no CDK code: the `token` command reads it.
 */
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../src/commons/constants';
import type { AuthMode, WsNotifyJwt, WsNotifyProps } from './ws-notify';

export type { AuthMode, JwtAlgorithm, LogLevel } from './ws-notify';
export const AUTH_MODES: readonly AuthMode[] = ['authorizer', 'action'];

/** Where the verification key comes from. */
export type KeySource =
  /** The stage's ES256 key pair made by `npm run keys -- --stage S` in `.keys/`; the public JWK is baked into the functions. */
  | { readonly kind: 'generated' }
  /** An external identity provider's JWKS endpoint; ws-notify cannot issue tokens for such a stage. */
  | { readonly kind: 'jwks'; readonly jwksUrl: string };

/** The construct's `jwt`, with where its key comes from instead of the key. */
export type JwtSettings = Omit<WsNotifyJwt, 'key'> & { readonly keySource: KeySource };

/**
 * A stage: the construct's props (WsNotifyProps, where each is documented with its default) that
 * every stage states, those it may state, and the project's own settings. Durations are whole
 * seconds, so that reading a stage loads no CDK code.
 */
export interface StageConfig
  extends Required<Pick<WsNotifyProps, 'authMode' | 'throttling' | 'logLevel' | 'retainData'>>,
    Pick<WsNotifyProps, 'allowedOrigins' | 'maxConnectionsPerUser' | 'concurrency'> {
  /** The construct's {@link WsNotifyProps.stageName}, and part of the stack name (`WsNotify-<name>`). */
  readonly name: string;
  readonly jwt: JwtSettings;
  /** The construct's {@link WsNotifyProps.authorizeDeadline}, seconds. */
  readonly authorizeDeadlineSeconds?: number;
  /** The construct's {@link WsNotifyProps.maxTokenLifetime}, seconds. `npm run token --ttl` refuses longer lifetimes. */
  readonly maxTokenLifetimeSeconds?: number;
  /** The construct's {@link WsNotifyProps.inboxRetention}, seconds. `npm start -- --inbox-retention S` overrides it. */
  readonly inboxRetentionSeconds?: number;
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
 * machine's cap (docs/local.md). Why these figures: docs/operations.md, "Concurrency".
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
    logLevel: 'DEBUG',
    throttling: { rateLimit: 100, burstLimit: 200 },
    retainData: false,
    concurrency: CONSUMER_CONCURRENCY,
  },
  prod: {
    name: 'prod',
    authMode: 'authorizer',
    jwt: generatedKeyJwt('prod'),
    logLevel: 'INFO',
    throttling: { rateLimit: 1000, burstLimit: 2000 },
    retainData: true,
    // Only prod reserves concurrency: a new account may not have the concurrency to reserve.
    concurrency: { ...CONSUMER_CONCURRENCY, authorizer: 100, connect: 100 },
  },
} as const satisfies Record<string, StageConfig>;

export type StageName = keyof typeof STAGES;

/** The stack of a stage: `WsNotify-<stage>` (here, not in ws-notify-stack.ts, so that `synth` and `deploy` name it without loading the CDK). */
export function stackNameOf(stageName: string): string {
  return `WsNotify-${stageName}`;
}

/** The stage's maximum token lifetime, seconds: what `npm run token` may issue. */
export function maxTokenLifetimeSecondsOf(stage: Pick<StageConfig, 'maxTokenLifetimeSeconds'>): number {
  return stage.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
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
export type StageOverrides = Partial<Pick<StageConfig, 'authMode' | 'authorizeDeadlineSeconds' | 'allowedOrigins' | 'inboxRetentionSeconds'>>;

/** A copy of the stage with the overrides that are set applied; the CDK stack is built from the result. */
export function withOverrides(stage: StageConfig, overrides: StageOverrides): StageConfig {
  const set = Object.entries(overrides).filter(([, value]) => value !== undefined);
  return { ...stage, ...(Object.fromEntries(set) as StageOverrides) };
}
