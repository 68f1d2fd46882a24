/** Small DOM helpers for the console page. Text always goes in as text (never as HTML). */

type Child = Node | string | undefined | false;

export interface ElementProps {
  readonly className?: string;
  readonly testId?: string;
  readonly text?: string;
  readonly title?: string;
  readonly dataset?: Readonly<Record<string, string>>;
}

/** `el('li', { className: 'in', text: '…' }, child…)` */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className !== undefined) element.className = props.className;
  if (props.testId !== undefined) element.dataset.testid = props.testId;
  if (props.title !== undefined) element.title = props.title;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [key, value] of Object.entries(props.dataset ?? {})) element.dataset[key] = value;
  for (const child of children) {
    if (child !== undefined && child !== false) element.append(child);
  }
  return element;
}

export function button(label: string, testId: string, onClick: () => void, className?: string): HTMLButtonElement {
  const element = el('button', { text: label, testId, ...(className === undefined ? {} : { className }) });
  element.type = 'button';
  element.addEventListener('click', onClick);
  return element;
}

/** The element with that id; throws when the page does not have it (a broken template). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the console page has no #${id}`);
  return element as T;
}
