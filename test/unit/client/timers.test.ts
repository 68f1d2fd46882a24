import { Scheduler, TimerSlots } from '../../../src/client/timers';

describe('Class: Scheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs a callback after its delay, unless cancelled', () => {
    const scheduler = new Scheduler();
    const calls: string[] = [];
    scheduler.after(100, () => calls.push('a'));
    const cancel = scheduler.after(100, () => calls.push('b'));

    cancel();
    jest.advanceTimersByTime(100);
    cancel();

    expect(calls).toEqual(['a']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('cancels every pending timer at once', () => {
    const scheduler = new Scheduler();
    const calls: string[] = [];
    scheduler.after(10, () => calls.push('a'));
    scheduler.after(20, () => calls.push('b'));

    scheduler.cancelAll();
    jest.advanceTimersByTime(100);

    expect(calls).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('Class: TimerSlots', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('replaces the timer of a name set again', () => {
    const slots = new TimerSlots<'ping'>(new Scheduler());
    const calls: number[] = [];

    slots.set('ping', 100, () => calls.push(1));
    jest.advanceTimersByTime(50);
    slots.set('ping', 100, () => calls.push(2));
    jest.advanceTimersByTime(99);
    expect(calls).toEqual([]);
    jest.advanceTimersByTime(1);

    expect(calls).toEqual([2]);
    expect(slots.has('ping')).toBe(false);
  });

  it('clears one name or all of them', () => {
    const slots = new TimerSlots<'a' | 'b'>(new Scheduler());
    slots.set('a', 10, () => undefined);
    slots.set('b', 10, () => undefined);

    slots.clear('a');
    expect(slots.has('a')).toBe(false);
    expect(slots.has('b')).toBe(true);
    slots.clearAll();

    expect(jest.getTimerCount()).toBe(0);
  });
});
