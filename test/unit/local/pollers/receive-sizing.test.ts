import { BACKLOG_ANSWER_MS, MAX_RECEIVE_MESSAGES, nextReceiveSize, waitTimeFor } from '../../../../src/local/pollers/receive-sizing';

describe('Function: nextReceiveSize', () => {
  it('keeps long-polling for one message while messages arrive one at a time', () => {
    // Act & Assess
    expect(nextReceiveSize(1, 0, 20_040)).toBe(1);
    expect(nextReceiveSize(1, 1, 5_000)).toBe(1);
  });

  it('starts asking for more when a single-message poll is answered at once (a backlog)', () => {
    // Act & Assess
    expect(nextReceiveSize(1, 1, BACKLOG_ANSWER_MS - 9)).toBe(2);
  });

  it('doubles while full answers come back, up to ten', () => {
    // Act
    const sizes = [2];
    while (sizes.length < 6) sizes.push(nextReceiveSize(sizes[sizes.length - 1] ?? 1, sizes[sizes.length - 1] ?? 1, 11));

    // Assess
    expect(sizes).toEqual([2, 4, 8, MAX_RECEIVE_MESSAGES, MAX_RECEIVE_MESSAGES, MAX_RECEIVE_MESSAGES]);
  });

  it('goes back to single-message long polls after a partial answer', () => {
    // Act & Assess
    expect(nextReceiveSize(10, 7, 41)).toBe(1);
    expect(nextReceiveSize(4, 0, 41)).toBe(1);
  });
});

describe('Function: waitTimeFor', () => {
  it('long-polls single-message receives only', () => {
    // Act & Assess
    expect(waitTimeFor(1)).toBe(20);
    expect(waitTimeFor(2)).toBe(0);
    expect(waitTimeFor(10)).toBe(0);
  });
});
