/**
 * Cold-start baseline: a handler that returns at once. Its cold start is Node's start-up plus a
 * bundle of a few hundred bytes — the floor under every function, whatever it does.
 */
export const handler = (): Promise<{ statusCode: number }> => Promise.resolve({ statusCode: 200 });
