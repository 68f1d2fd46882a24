/** Errors of the function runner. Handler errors are never thrown: they are InvocationFailures. */

export type FunctionRunnerErrorCode = 'CODE_NOT_FOUND' | 'UNKNOWN_FUNCTION' | 'INVALID_DEFINITION';

export class FunctionRunnerError extends Error {
  override readonly name: string = 'FunctionRunnerError';
  constructor(
    message: string,
    readonly code: FunctionRunnerErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A function's handler module is not in its code directory (a bundle that was never built, a wrong Handler). */
export class FunctionCodeNotFoundError extends FunctionRunnerError {
  override readonly name = 'FunctionCodeNotFoundError';
  constructor(
    readonly functionId: string,
    readonly file: string,
  ) {
    super(`function "${functionId}": its handler module ${file} does not exist`, 'CODE_NOT_FOUND');
  }
}

/** `invoke` was called with a logical id the runner was not given: a wiring bug in the caller. */
export class UnknownFunctionError extends FunctionRunnerError {
  override readonly name = 'UnknownFunctionError';
  constructor(readonly functionId: string) {
    super(`no function with logical id "${functionId}"`, 'UNKNOWN_FUNCTION');
  }
}

/** A function definition the runner cannot run (bad timeout, memory or concurrency). */
export class InvalidFunctionDefinitionError extends FunctionRunnerError {
  override readonly name = 'InvalidFunctionDefinitionError';
  constructor(
    readonly functionId: string,
    detail: string,
  ) {
    super(`function "${functionId}": ${detail}`, 'INVALID_DEFINITION');
  }
}
