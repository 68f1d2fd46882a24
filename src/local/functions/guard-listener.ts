/**
 * Wraps a listener the runtime passes in (log sink, event sink) so that a listener that throws
 * cannot break a worker's message handling or a poller's loop: the error becomes a process warning.
 */
export function guardListener<T>(listener: ((value: T) => void) | undefined, name: string): (value: T) => void {
  if (listener === undefined) return () => undefined;
  return (value) => {
    try {
      listener(value);
    } catch (error) {
      process.emitWarning(`${name} listener threw: ${error instanceof Error ? error.message : String(error)}`, 'ListenerError');
    }
  };
}
