import fc from 'fast-check';
import { parseRouteSelectionExpression, RouteTable, selectRouteKey } from '../../../../src/local/gateway/route-selection';

const ACTION = ['action'];

function table(keys: string[], path: readonly string[] = ACTION): RouteTable<string> {
  return new RouteTable(new Map(keys.map((key) => [key, `route:${key}`])), path);
}

describe('Function: parseRouteSelectionExpression', () => {
  it.each([
    ['$request.body.action', ['action']],
    ['${request.body.action}', ['action']],
    ['$request.body.message.type', ['message', 'type']],
  ])('reads the path of %s', (expression, path) => {
    expect(parseRouteSelectionExpression(expression)).toEqual(path);
  });

  it.each(['$request.header.action', '$request.body.', 'action', '$request.body.a b', '$context.routeKey'])('does not evaluate %s', (expression) => {
    expect(parseRouteSelectionExpression(expression)).toBeUndefined();
  });
});

describe('Function: selectRouteKey', () => {
  it.each([
    ['{"action":"ping"}', 'ping'],
    [' \n{"action":"ping","name":"x"}', 'ping'],
    ['{"action":1}', '1'],
    ['{"action":1.5}', '1.5'],
    ['{"action":true}', 'true'],
    ['{"action":false}', 'false'],
    ['{"action":{"a":1}}', '{"a":1}'],
    ['{"action":["a"]}', '["a"]'],
    ['{"action":""}', ''],
  ])('selects the key of %s', (body, key) => {
    expect(selectRouteKey(body, ACTION)).toBe(key);
  });

  it.each([
    ['not JSON', 'hello'],
    ['broken JSON', '{"action":'],
    ['a JSON array', '[{"action":"ping"}]'],
    ['a JSON string', '"ping"'],
    ['a missing key', '{"name":"ping"}'],
    ['a null value', '{"action":null}'],
    ['an empty message', ''],
  ])('selects nothing for %s', (_case, body) => {
    expect(selectRouteKey(body, ACTION)).toBeUndefined();
  });

  it('follows a nested path and reads only own properties', () => {
    expect(selectRouteKey('{"message":{"type":"ping"}}', ['message', 'type'])).toBe('ping');
    expect(selectRouteKey('{"message":"x"}', ['message', 'length'])).toBeUndefined();
    expect(selectRouteKey('{}', ['constructor'])).toBeUndefined();
    expect(selectRouteKey('{}', ['__proto__'])).toBeUndefined();
  });
});

describe('Class: RouteTable', () => {
  describe('Method: select', () => {
    it('routes by the selected key and falls back to $default', () => {
      const routes = table(['$connect', '$disconnect', '$default', 'ping']);

      expect(routes.select('{"action":"ping"}')).toBe('route:ping');
      expect(routes.select('{"action":"unknown"}')).toBe('route:$default');
      expect(routes.select('not json')).toBe('route:$default');
    });

    it('never routes a message to $connect or $disconnect', () => {
      const routes = table(['$connect', '$disconnect', '$default']);

      expect(routes.select('{"action":"$connect"}')).toBe('route:$default');
      expect(routes.select('{"action":"$disconnect"}')).toBe('route:$default');
      expect(routes.disconnect).toBe('route:$disconnect');
    });

    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('does not treat %s as a route', (action) => {
      const routes = table(['$default', 'ping']);

      expect(routes.select(JSON.stringify({ action }))).toBe('route:$default');
    });

    it('routes __proto__ when the API declares it', () => {
      expect(table(['$default', '__proto__']).select('{"action":"__proto__"}')).toBe('route:__proto__');
    });

    it('selects nothing when no route matches and the API has no $default', () => {
      const routes = table(['ping']);

      expect(routes.select('{"action":"other"}')).toBeUndefined();
      expect(routes.select('not json')).toBeUndefined();
      expect(routes.fallback).toBeUndefined();
    });

    it('routes a stringified non-string action to the route of that name', () => {
      const routes = table(['$default', '1', 'true']);

      expect(routes.select('{"action":1}')).toBe('route:1');
      expect(routes.select('{"action":true}')).toBe('route:true');
    });

    it('never throws and always returns a declared route or the fallback, whatever the message', () => {
      const declared = ['$default', 'ping', 'authorize'];
      const routes = table(declared);
      const messages = fc.oneof(
        fc.string({ unit: 'grapheme' }),
        fc.json(),
        fc.record({ action: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'ping'), fc.jsonValue()) }).map((o) => JSON.stringify(o)),
      );

      fc.assert(
        fc.property(messages, (body) => {
          const selected = routes.select(body);
          expect(declared.map((key) => `route:${key}`)).toContain(selected);
        }),
      );
    });
  });
});
