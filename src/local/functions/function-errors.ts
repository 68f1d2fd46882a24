/** Errors of the function runner. Handler errors are never thrown: they are InvocationFailures. */

/** A function's handler module is not in its code directory (a bundle that was never built, a wrong Handler). */
export class FunctionCodeNotFoundError extends Error {
  override readonly name = 'FunctionCodeNotFoundError';
  readonly code = 'code_not_found';
  constructor(
    readonly functionId: string,
    readonly file: string,
  ) {
    super(`function "${functionId}": its handler module ${file} does not exist`);
  }
}

/** `invoke` was called with a logical id the runner was not given: a wiring bug in the caller. */
export class UnknownFunctionError extends Error {
  override readonly name = 'UnknownFunctionError';
  readonly code = 'unknown_function';
  constructor(readonly functionId: string) {
    super(`no function with logical id "${functionId}"`);
  }
}

/** A function definition the runner cannot run (bad timeout, memory or concurrency). */
export class InvalidFunctionDefinitionError extends Error {
  override readonly name = 'InvalidFunctionDefinitionError';
  readonly code = 'invalid_definition';
  constructor(
    readonly functionId: string,
    detail: string,
  ) {
    super(`function "${functionId}": ${detail}`);
  }
}
