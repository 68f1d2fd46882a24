/** The card of one demo client: state, connection id, actions, notifications, frame log. */
import type { ConsoleApi } from './console-client';
import type { DemoClient } from './demo-client';
import { button, el } from './dom';
import { expiry } from './format';

export interface DemoClientViewOptions {
  readonly client: DemoClient;
  /** Title of the card (the user id, or "pasted token"). */
  readonly title: string;
  /** Present when "report ready" can go through the local console. */
  readonly api?: ConsoleApi;
}

export function renderDemoClient(options: DemoClientViewOptions): HTMLElement {
  const { client, api } = options;
  const state = el('span', { className: 'state', testId: 'client-state' });
  const connection = el('p', { className: 'conn-id mono', testId: 'client-connection-id' });
  const notifications = el('ul', { className: 'notifications', testId: 'notifications' });
  const frames = el('ol', { className: 'frames mono', testId: 'frames' });
  const card = el('article', { className: 'client', testId: 'client-card' });

  const ping = button('Ping', 'ping', () => client.ping());
  const reportReady = button('Report ready', 'report-ready', () => {
    const userId = client.userId;
    if (api === undefined || userId === undefined) return;
    reportReady.disabled = true;
    api.reportReady(userId).then(
      (sent) => {
        client.frames.push({ direction: 'note', text: `report ready: ${sent.download} sent to NotifyUser (message ${sent.messageId})` });
        update();
      },
      (error: unknown) => {
        client.frames.push({ direction: 'note', text: `report ready failed: ${error instanceof Error ? error.message : String(error)}` });
        update();
      },
    );
  });
  const close = button('Close', 'close', () => client.close(), 'secondary');
  const remove = button('✕', 'remove', () => {
    client.close();
    card.remove();
  }, 'secondary');
  remove.title = 'Close and remove this client';
  remove.setAttribute('aria-label', 'Remove');
  const actions = el('div', { className: 'actions' }, ping, api === undefined ? undefined : reportReady, close, remove);

  card.append(el('header', {}, el('h4', { text: options.title, title: options.title }), state), connection, actions, notifications, frames);

  function update(): void {
    card.dataset.state = client.state;
    if (client.userId !== undefined) card.dataset.user = client.userId;
    state.textContent = client.state;
    state.className = `state state-${client.state}`;
    const details = [client.connectionId === undefined ? 'connection id: press Ping to see it' : `connection ${client.connectionId}`];
    if (client.expiresAt !== undefined) details.push(`token expires ${expiry(client.expiresAt, Date.now())}`);
    connection.textContent = details.join(' · ');
    const open = client.open;
    ping.disabled = !open;
    reportReady.disabled = !open || client.state !== 'authorized' || client.userId === undefined;
    close.disabled = !open;

    notifications.replaceChildren(
      ...client.notifications.map((notification) => {
        const item = el('li', { testId: 'notification', dataset: { id: notification.id } });
        if (notification.download !== undefined) {
          const link = el('a', { text: notification.download, testId: 'download-link' });
          link.href = notification.download;
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
          item.append('Report ready: ', link);
        } else {
          item.append(el('span', { className: 'mono', text: JSON.stringify(notification.data) }));
        }
        item.append(' ', el('span', { className: 'muted', text: `id ${notification.id}` }));
        return item;
      }),
    );
    frames.replaceChildren(
      ...[...client.frames].reverse().map((frame) => el('li', { className: frame.direction, text: `${frame.direction === 'in' ? '←' : frame.direction === 'out' ? '→' : '·'} ${frame.text}` })),
    );
  }

  client.onChange(update);
  update();
  return card;
}
