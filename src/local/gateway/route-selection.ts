/**
 * Route selection as API Gateway does it for WebSocket APIs: the route selection expression
 * (`$request.body.action`) evaluated against each text message (the rules: README.md, Messages).
 */

const DEFAULT_ROUTE_KEY = '$default';
export const CONNECT_ROUTE_KEY = '$connect';
export const DISCONNECT_ROUTE_KEY = '$disconnect';

/** `$request.body.a.b` or `${request.body.a.b}` → `['a', 'b']`. */
const EXPRESSION = /^(?:\$request\.body\.([^\s.{}$]+(?:\.[^\s.{}$]+)*)|\$\{request\.body\.([^\s.{}$]+(?:\.[^\s.{}$]+)*)\})$/;

/** The JSON path of a route selection expression, or `undefined` for one other than `$request.body.<path>`. */
export function parseRouteSelectionExpression(expression: string): readonly string[] | undefined {
  const match = EXPRESSION.exec(expression);
  const path = match?.[1] ?? match?.[2];
  return path === undefined ? undefined : path.split('.');
}

function startsLikeJsonObject(body: string): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    // JSON whitespace: space, tab, line feed, carriage return.
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b; // {
  }
  return false;
}

/**
 * The route key a message selects, before the route table is consulted: the stringified value at
 * `path`, or `undefined` (non-JSON, not an object, missing key, `null`).
 */
export function selectRouteKey(body: string, path: readonly string[]): string | undefined {
  if (!startsLikeJsonObject(body)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      if (value === null) return undefined;
      // A value nested too deeply for JSON.stringify selects no key: its RangeError would escape `ws`'s message event and end the process.
      try {
        return JSON.stringify(value);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/** Routes keyed by route key, with the message routes (everything but `$connect`/`$disconnect`) resolved. */
export class RouteTable<R> {
  private readonly messageRoutes = new Map<string, R>();
  readonly disconnect: R | undefined;
  readonly fallback: R | undefined;

  constructor(
    routes: ReadonlyMap<string, R>,
    private readonly path: readonly string[],
  ) {
    for (const [key, route] of routes) {
      if (key !== CONNECT_ROUTE_KEY && key !== DISCONNECT_ROUTE_KEY) this.messageRoutes.set(key, route);
    }
    this.disconnect = routes.get(DISCONNECT_ROUTE_KEY);
    this.fallback = routes.get(DEFAULT_ROUTE_KEY);
  }

  /** The route a text message goes to, or `undefined` when none matches and there is no `$default`. */
  select(body: string): R | undefined {
    const key = selectRouteKey(body, this.path);
    if (key === undefined) return this.fallback;
    return this.messageRoutes.get(key) ?? this.fallback;
  }
}
