/** The card of one demo client: state, connection id, cursor, counters, actions, notifications, frame log. */
import type { ConsoleApi } from './console-client';
import type { DemoClient } from './demo-client';
import { button, el } from './dom';

export interface DemoClientViewOptions {
  readonly client: DemoClient;
  /** Title of the card (the user id, or "pasted token"). */
  readonly title: string;
  /** Present when "report ready" can go through the local console. */
  readonly api?: ConsoleApi;
  /** Called after ✕ has stopped the client and removed the card. */
  readonly onRemove?: () => void;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function renderDemoClient(options: DemoClientViewOptions): HTMLElement {
  const { client, api } = options;
  const state = el('span', { className: 'state', testId: 'client-state' });
  const connection = el('p', { className: 'conn-id mono', testId: 'client-connection-id' });
  const cursor = el('p', { className: 'conn-id', testId: 'client-cursor' });
  const stats = el('p', { className: 'conn-id', testId: 'client-stats' });
  const notifications = el('ul', { className: 'notifications', testId: 'notifications' });
  const frames = el('ol', { className: 'frames mono', testId: 'frames' });
  const card = el('article', { className: 'client', testId: 'client-card' });

  const ping = button('Ping', 'ping', () => client.ping());
  const reportReady = button('Report ready', 'report-ready', () => {
    const userId = client.userId;
    if (api === undefined || userId === undefined) return;
    reportReady.disabled = true;
    api.reportReady(userId).then(
      (sent) => client.note(`report ready: ${sent.download} sent to NotifyUser (message ${sent.messageId})`),
      (error: unknown) => client.note(`report ready failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
  const disconnect = button('Disconnect', 'disconnect', () => void client.stop(), 'secondary');
  const connect = button('Connect', 'reconnect', () => client.start(), 'secondary');
  const remove = button(
    '✕',
    'remove',
    () => {
      void client.stop();
      card.remove();
      options.onRemove?.();
    },
    'secondary',
  );
  remove.title = 'Stop and remove this client';
  remove.setAttribute('aria-label', 'Remove');
  const actions = el('div', { className: 'actions' }, ping, api === undefined ? undefined : reportReady, disconnect, connect, remove);

  card.append(el('header', {}, el('h4', { text: options.title, title: options.title }), state), connection, cursor, stats, actions, notifications, frames);

  function update(): void {
    const current = client.state;
    const authorized = current === 'authorized';
    card.dataset.state = current;
    if (client.userId !== undefined) card.dataset.user = client.userId;
    state.textContent = current;
    state.className = `state state-${current}`;

    const connectionId = client.connectionId;
    card.dataset.connectionId = connectionId ?? '';
    connection.textContent =
      connectionId !== undefined ? `connection ${connectionId}` : authorized ? 'connection id: asked with a ping…' : current === 'stopped' ? 'no connection' : 'connection id: once connected';
    const position = client.cursor;
    card.dataset.cursor = position === null ? '' : String(position);
    const where = client.target.cursor === undefined ? 'in memory' : 'saved in localStorage';
    cursor.textContent = position === null ? `cursor: none yet, started at the inbox's end (${where})` : `cursor ${position} (${where})`;
    const counts = client.client.stats;
    stats.textContent = [
      `${counts.delivered} delivered`,
      `${plural(counts.duplicates, 'duplicate')} dropped`,
      plural(counts.reconnects, 'reconnect'),
      plural(counts.rollOvers, 'roll-over'),
      plural(counts.renewals, 'renewal'),
    ].join(' · ');

    ping.disabled = !authorized;
    reportReady.disabled = !authorized || client.userId === undefined;
    disconnect.disabled = current === 'stopped';
    connect.disabled = current !== 'stopped';

    notifications.replaceChildren(
      ...client.notifications.map((notification) => {
        const item = el('li', { testId: 'notification', dataset: { id: notification.id, seq: notification.seq === undefined ? '' : String(notification.seq) } });
        if (notification.download !== undefined) {
          const link = el('a', { text: notification.download, testId: 'download-link' });
          link.href = notification.download;
          link.target = '_blank';
          link.rel = 'noopener noreferrer';
          item.append('Report ready: ', link);
        } else {
          item.append(el('span', { className: 'mono', text: JSON.stringify(notification.data) }));
        }
        const seq = notification.seq === undefined ? '' : `seq ${notification.seq} · `;
        item.append(' ', el('span', { className: 'muted', text: `${seq}id ${notification.id}` }));
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
