/** Errors of the function runner. Handler errors are never thrown: they are InvocationFailures. */

export type FunctionRunnerErrorCode = 'code_not_found' | 'unknown_function' | 'invalid_definition';

export class FunctionRunnerError extends Error {
  override readonly name: string = 'FunctionRunnerError';
  constructor(
    readonly code: FunctionRunnerErrorCode,
    message: string,
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
    super('code_not_found', `function "${functionId}": its handler module ${file} does not exist`);
  }
}

/** `invoke` was called with a logical id the runner was not given: a wiring bug in the caller. */
export class UnknownFunctionError extends FunctionRunnerError {
  override readonly name = 'UnknownFunctionError';
  constructor(readonly functionId: string) {
    super('unknown_function', `no function with logical id "${functionId}"`);
  }
}

/** A function definition the runner cannot run (bad timeout, memory or concurrency). */
export class InvalidFunctionDefinitionError extends FunctionRunnerError {
  override readonly name = 'InvalidFunctionDefinitionError';
  constructor(
    readonly functionId: string,
    detail: string,
  ) {
    super('invalid_definition', `function "${functionId}": ${detail}`);
  }
}
