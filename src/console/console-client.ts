/**
 * The page's calls to the local console's API (absent when the page is a static file or is
 * served by anything else: `detectConsole` then resolves undefined and the page works without it).
 */
import {
  CONSOLE_PATHS,
  CONSOLE_REQUEST_HEADER,
  type ConsoleAuthMode,
  type ConsoleErrorBody,
  type ConsoleInfo,
  type ConsoleLimits,
  type ReportReadyResponse,
  type TokenResponse,
} from './console-api';

export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';
  constructor(
    /** The console's error code (`bad_request`, `not_ready`, …; `unknown` when it sent none). */
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAuthMode(value: unknown): value is ConsoleAuthMode {
  return value === 'authorizer' || value === 'action';
}

const isPositive = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** The limits of /api/info, or API Gateway's when it gives none that are valid. */
function limitsOf(value: unknown): ConsoleLimits {
  const limits = isObject(value) ? value : {};
  return {
    maxConnectionSeconds: isPositive(limits.maxConnectionSeconds) ? limits.maxConnectionSeconds : 7200,
    idleTimeoutSeconds: isPositive(limits.idleTimeoutSeconds) ? limits.idleTimeoutSeconds : 600,
  };
}

/** The console's info, when this page is served by a running local console. */
export async function detectConsole(): Promise<ConsoleApi | undefined> {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return undefined;
  try {
    const response = await fetch(CONSOLE_PATHS.info, { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('application/json')) return undefined;
    const info: unknown = await response.json();
    if (!isObject(info) || typeof info.stage !== 'string' || !isAuthMode(info.authMode) || typeof info.websocketUrl !== 'string') return undefined;
    return new ConsoleApi({
      stage: info.stage,
      authMode: info.authMode,
      websocketUrl: info.websocketUrl,
      tokens: info.tokens === true,
      tokenTtlSeconds: typeof info.tokenTtlSeconds === 'number' ? info.tokenTtlSeconds : 0,
      limits: limitsOf(info.limits),
    });
  } catch {
    return undefined;
  }
}

export class ConsoleApi {
  constructor(readonly info: ConsoleInfo) {}

  /** A token for the user, from the local runtime (never shown, never stored). */
  async token(userId: string): Promise<string> {
    const body = await this.#post<TokenResponse>(CONSOLE_PATHS.token, { userId });
    return body.token;
  }

  /** Sends `{"download":"/reports/<n>"}` to the user through NotifyUser. */
  reportReady(userId: string): Promise<ReportReadyResponse> {
    return this.#post<ReportReadyResponse>(CONSOLE_PATHS.reportReady, { userId });
  }

  async #post<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(path, {
      method: 'POST',
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', [CONSOLE_REQUEST_HEADER]: '1' },
      body: JSON.stringify(body),
    });
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = isObject(parsed) ? (parsed as Partial<ConsoleErrorBody>) : {};
      throw new ConsoleApiError(error.error ?? 'unknown', response.status, error.message ?? `the console answered ${response.status}`);
    }
    return parsed as T;
  }
}
