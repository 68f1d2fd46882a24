/**
 * The ws-notify console page. Served by `npm start` (live view + demo clients with tokens from
 * the local runtime), or opened as a static file (demo clients against any stage with a pasted
 * token; the live view is then off).
 */
import type { ConsoleAuthMode } from './console-api';
import { detectConsole, type ConsoleApi } from './console-client';
import { DemoClient, displayUrl, isWebSocketUrl, type DemoTarget } from './demo-client';
import { renderDemoClient } from './demo-client-view';
import { byId } from './dom';
import { LiveView } from './live-view';

const MAX_USER_ID_CHARACTERS = 128;

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

  const isLocal = () => localTokens && (form.elements.namedItem('target') as RadioNodeList).value === 'local';
  const syncTarget = () => {
    remoteFields.hidden = isLocal();
    userField.hidden = !isLocal();
  };
  form.addEventListener('change', syncTarget);
  syncTarget();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    formError.textContent = '';
    let target: DemoTarget;
    let title: string;
    let user: string | undefined;
    if (isLocal() && api !== undefined) {
      const id = userId.value.trim();
      const length = [...id].length;
      if (length < 1 || length > MAX_USER_ID_CHARACTERS) {
        formError.textContent = `the user id must be 1 to ${MAX_USER_ID_CHARACTERS} characters`;
        return;
      }
      target = { url: api.info.websocketUrl, mode: api.info.authMode, token: () => api.token(id) };
      title = id;
      user = id;
    } else {
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
      target = { url: endpoint, mode: mode.value as ConsoleAuthMode, token: () => Promise.resolve(pasted) };
      title = `pasted token · ${displayUrl(endpoint)}`;
    }
    const client = new DemoClient(target, user);
    clients.append(renderDemoClient({ client, title, ...(isLocal() && api !== undefined ? { api } : {}) }));
    void client.connect();
    userId.value = '';
  });
}

void detectConsole().then(main);
