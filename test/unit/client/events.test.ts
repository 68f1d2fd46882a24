import { NotifyClientError } from '../../../src/client/errors';
import { Emitter } from '../../../src/client/events';

describe('Class: Emitter', () => {
  it('calls the listeners of an event in the order they were added', () => {
    const emitter = new Emitter();
    const calls: string[] = [];
    emitter.on('state', (state) => calls.push(`first ${state}`));
    emitter.on('state', (state) => calls.push(`second ${state}`));
    emitter.on('truncated', () => calls.push('truncated'));

    emitter.emit('state', 'open');

    expect(calls).toEqual(['first open', 'second open']);
  });

  it('removes a listener with off() or the function on() returns', () => {
    const emitter = new Emitter();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const stopB = emitter.on('truncated', () => calls.push('b'));
    emitter.on('truncated', a);

    emitter.off('truncated', a);
    stopB();
    emitter.emit('truncated');

    expect(calls).toEqual([]);
  });

  it('reports a throwing listener as listener_failed and still calls the others', () => {
    const emitter = new Emitter();
    const failure = new Error('bug');
    const errors: NotifyClientError[] = [];
    const calls: string[] = [];
    emitter.on('error', (error) => errors.push(error));
    emitter.on('truncated', () => {
      throw failure;
    });
    emitter.on('truncated', () => calls.push('second'));

    emitter.emit('truncated');

    expect(calls).toEqual(['second']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'NotifyClientError', code: 'listener_failed', cause: failure });
  });

  it('swallows a throwing error listener instead of looping', () => {
    const emitter = new Emitter();
    let calls = 0;
    emitter.on('error', () => {
      calls += 1;
      throw new Error('again');
    });

    expect(() => emitter.emit('error', new NotifyClientError('no_reply', 'x'))).not.toThrow();
    expect(calls).toBe(1);
  });
});

describe('Class: NotifyClientError', () => {
  it('has a name, a code, a message and an optional cause', () => {
    const cause = new Error('root');
    const error = new NotifyClientError('token_unavailable', 'getToken() failed', { cause });

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'NotifyClientError', code: 'token_unavailable', message: 'getToken() failed', cause });
    expect('cause' in new NotifyClientError('no_reply', 'x')).toBe(false);
  });
});
