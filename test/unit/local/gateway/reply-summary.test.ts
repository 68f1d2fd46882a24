import { MAX_SUMMARIZED_BODY_CHARACTERS, summarizeReply } from '../../../../src/local/gateway/reply-summary';

describe('Function: summarizeReply', () => {
  it('gives the type of a JSON object body, and its code when it has one', () => {
    expect(summarizeReply('{"type":"pong","name":"Stepan","connectionId":"XfGLwdrQtjMCJvw="}')).toEqual({ type: 'pong' });
    expect(summarizeReply('{"type":"error","code":"token_expired","message":"The token of this connection has expired."}')).toEqual({ type: 'error', code: 'token_expired' });
    expect(summarizeReply(' {"type":"resumed","after":3,"latest":5,"count":2,"more":false,"truncated":false}')).toEqual({ type: 'resumed' });
  });

  it.each([
    ['not JSON', 'pong'],
    ['broken JSON', '{"type":"pong"'],
    ['an array', '[{"type":"pong"}]'],
    ['no type', '{"message":"Internal server error"}'],
    ['a type that is not a string', '{"type":7}'],
    ['a type that is not an identifier', '{"type":"a b"}'],
    ['a type that is too long', JSON.stringify({ type: 'x'.repeat(41) })],
    ['a body over the limit', JSON.stringify({ type: 'pong', pad: 'x'.repeat(MAX_SUMMARIZED_BODY_CHARACTERS) })],
  ])('gives nothing for %s', (_case, body) => {
    expect(summarizeReply(body)).toBeUndefined();
  });

  it('leaves out a code that is not a short identifier, which may be anything an application wrote', () => {
    expect(summarizeReply('{"type":"error","code":"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"}')).toEqual({ type: 'error' });
    expect(summarizeReply('{"type":"error","code":"token expired"}')).toEqual({ type: 'error' });
    expect(summarizeReply('{"type":"error","code":{"nested":true}}')).toEqual({ type: 'error' });
  });
});
