/**
 * The unit tier's rules, enforced around every test file of test/unit (jest.config.js): a unit
 * test opens no socket, starts no process or worker thread, and waits on no real timer (it uses
 * jest's fake timers or an injected clock). A test that breaks a rule fails, naming the call; a
 * test that needs a socket or a process belongs in test/integration.
 *
 * Every guard is put in place before the file's tests and taken away after them: Node.js's modules
 * are shared by every test file a jest worker runs, and a guard left on the file's timers after its
 * tests kept the jest worker from exiting. jest's fake timers replace the timer guards while a test
 * uses fake time and put them back after.
 */
import childProcess from 'node:child_process';
import net from 'node:net';
import workerThreads from 'node:worker_threads';

const MOVE = 'unit tests stay in memory (test/unit/tier-guard.ts): move the test to test/integration, or use a fake';

/** Calls that broke a rule and were not already thrown at the test (a library may swallow the error). */
const violations: string[] = [];

function refuse(what: string): never {
  const message = `${what} in a unit test: ${MOVE}`;
  violations.push(message);
  throw new Error(message);
}

type Restore = () => void;
const restores: Restore[] = [];

function replace<T extends object, K extends keyof T>(target: T, key: K, replacement: T[K]): void {
  const original = target[key];
  target[key] = replacement;
  restores.push(() => {
    target[key] = original;
  });
}

/**
 * A zero delay is a turn of the event loop, not a wait on the clock (libraries such as
 * @sinonjs/fake-timers take one at load), so it keeps the real timer; any longer delay fails.
 */
function guardTimer<T extends (callback: (...args: never[]) => void, delay?: number, ...args: never[]) => unknown>(real: T, name: string): T {
  return function guarded(this: unknown, callback: (...args: never[]) => void, delay?: number, ...args: never[]) {
    if (delay !== undefined && delay > 0) refuse(`a real timer (${name}, ${delay} ms)`);
    return real.call(this, callback, delay, ...args);
  } as T;
}

beforeAll(() => {
  replace(globalThis, 'setTimeout', guardTimer(globalThis.setTimeout, 'setTimeout'));
  replace(globalThis, 'setInterval', guardTimer(globalThis.setInterval, 'setInterval'));
  replace(net.Socket.prototype, 'connect', function connect(): never {
    return refuse('a socket connection (net.Socket.connect)');
  });
  replace(net.Server.prototype, 'listen', function listen(): never {
    return refuse('a listening server (net.Server.listen)');
  });
  for (const name of ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync'] as const) {
    replace(childProcess, name, () => refuse(`a child process (child_process.${name})`));
  }
  replace(workerThreads, 'Worker', class RefusedWorker {
    constructor() {
      refuse('a worker thread (worker_threads.Worker)');
    }
  } as unknown as typeof workerThreads.Worker);
});

afterEach(() => {
  if (violations.length > 0) throw new Error(violations.splice(0).join('\n'));
});

afterAll(() => {
  for (const restore of restores.splice(0).reverse()) restore();
});
