/**
 * The ws-notify console page. Served by `npm start` (live view + demo clients with tokens from
 * the local runtime), or opened as a static file (demo clients against any stage with a pasted
 * token; the live view is then off).
 *
 * The demo clients of the local stack come back after a reload: their user ids are kept in the
 * tab's sessionStorage (never a token), and each one's cursor in localStorage, so a reloaded page
 * resumes where it was. A client with a pasted token is not restored (its token is kept nowhere).
 */
import type { StorageLike } from '../client';
import type { ConsoleAuthMode } from './console-api';
import { detectConsole, type ConsoleApi } from './console-client';
import { cursorKey, DemoClient, displayUrl, isWebSocketUrl, type DemoTarget } from './demo-client';
import { renderDemoClient } from './demo-client-view';
import { byId } from './dom';
import { LiveView } from './live-view';

const MAX_USER_ID_CHARACTERS = 128;

/** localStorage or sessionStorage, when this page may use it (a browser can refuse). */
function webStorage(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    return window[kind];
  } catch {
    return undefined;
  }
}

/** The user ids of this tab's local demo clients, in the order they were added. */
class RestoredClients {
  readonly #key: string;

  constructor(
    websocketUrl: string,
    private readonly storage: StorageLike | undefined,
  ) {
    this.#key = `ws-notify-console:clients:${displayUrl(websocketUrl)}`;
  }

  list(): string[] {
    try {
      const value: unknown = JSON.parse(this.storage?.getItem(this.#key) ?? '[]');
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    } catch {
      return [];
    }
  }

  add(userId: string): void {
    this.#write([...this.list(), userId]);
  }

  /** Removes one entry of the user (a user may have several clients). */
  remove(userId: string): void {
    const list = this.list();
    const index = list.indexOf(userId);
    if (index >= 0) list.splice(index, 1);
    this.#write(list);
  }

  #write(list: readonly string[]): void {
    try {
      this.storage?.setItem(this.#key, JSON.stringify(list));
    } catch {
      // Storage full or refused: the clients are simply not restored after a reload.
    }
  }
}

function field<T extends HTMLInputElement | HTMLSelectElement>(form: HTMLFormElement, name: string): T {
  const element = form.elements.namedItem(name);
  if (element === null) throw new Error(`the form has no field ${name}`);
  return element as T;
}

function main(api: ConsoleApi | undefined): void {
  const form = byId<HTMLFormElement>('new-client');
  const clients = byId('clients');
  const formError = byId('form-error');
  const remoteFields = byId('remote-fields');
  const userField = byId('user-field');
  const userId = field<HTMLInputElement>(form, 'userId');
  const url = field<HTMLInputElement>(form, 'url');
  const mode = field<HTMLSelectElement>(form, 'mode');
  const token = field<HTMLInputElement>(form, 'token');

  const localTokens = api !== undefined && api.info.tokens;
  if (api !== undefined) {
    const { info } = api;
    byId('stage-info').textContent = `stage "${info.stage}" · auth mode ${info.authMode} · ${displayUrl(info.websocketUrl)}`;
    byId('download-hint').hidden = false;
    url.value = info.websocketUrl;
    mode.value = info.authMode;
    new LiveView().start();
  }
  if (localTokens) byId('target-choice').hidden = false;

  const cursorStorage = webStorage('localStorage');
  const restored = api === undefined ? undefined : new RestoredClients(api.info.websocketUrl, webStorage('sessionStorage'));

  /** A demo client of the local stack as `id`, with tokens from the console and a persistent cursor. */
  const addLocalClient = (local: ConsoleApi, id: string): void => {
    const target: DemoTarget = {
      url: local.info.websocketUrl,
      mode: local.info.authMode,
      getToken: () => local.token(id),
      limits: local.info.limits,
      ...(cursorStorage === undefined ? {} : { cursor: { storage: cursorStorage, key: cursorKey(local.info.websocketUrl, id) } }),
    };
    const client = new DemoClient(target, id);
    clients.append(renderDemoClient({ client, title: id, api: local, onRemove: () => restored?.remove(id) }));
    client.start();
  };

  const isLocal = () => localTokens && (form.elements.namedItem('target') as RadioNodeList).value === 'local';
  const syncTarget = () => {
    remoteFields.hidden = isLocal();
    userField.hidden = !isLocal();
  };
  form.addEventListener('change', syncTarget);
  syncTarget();

  if (localTokens && api !== undefined) for (const id of restored?.list() ?? []) addLocalClient(api, id);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    formError.textContent = '';
    if (isLocal() && api !== undefined) {
      const id = userId.value.trim();
      const length = [...id].length;
      if (length < 1 || length > MAX_USER_ID_CHARACTERS) {
        formError.textContent = `the user id must be 1 to ${MAX_USER_ID_CHARACTERS} characters`;
        return;
      }
      restored?.add(id);
      addLocalClient(api, id);
      userId.value = '';
      return;
    }
    const endpoint = url.value.trim();
    const pasted = token.value.trim();
    if (!isWebSocketUrl(endpoint)) {
      formError.textContent = 'the WebSocket URL must start with wss:// (or ws:// for a local stack)';
      return;
    }
    if (pasted === '') {
      formError.textContent = 'paste a token for the stage (npm run -s token -- --stage <stage> --user <id>, or your identity provider)';
      return;
    }
    // The same token for every connection and renewal: a pasted token serves until it expires.
    let client: DemoClient;
    try {
      client = new DemoClient({ url: endpoint, mode: mode.value as ConsoleAuthMode, getToken: () => Promise.resolve(pasted) });
    } catch (error) {
      // The client library names the option it refuses (a URL with a token in it, for one).
      formError.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    clients.append(renderDemoClient({ client, title: `pasted token · ${displayUrl(endpoint)}` }));
    client.start();
  });
}

void detectConsole().then(main);
