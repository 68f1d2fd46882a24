/** Errors of the function runner. Handler errors are never thrown: they are InvocationFailures. */

export type FunctionRunnerErrorCode = 'BUILD_FAILED' | 'UNKNOWN_FUNCTION' | 'INVALID_DEFINITION';

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

/** esbuild could not bundle a function (syntax error, missing import, …). */
export class FunctionBuildError extends FunctionRunnerError {
  override readonly name = 'FunctionBuildError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'BUILD_FAILED', options);
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
