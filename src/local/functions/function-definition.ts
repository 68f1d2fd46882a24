/**
 * What the function runner needs to know about one function. The runtime builds these from the
 * StackModel's FunctionModel, with the environment already resolved to local values.
 */
export interface LocalFunctionDefinition {
  /** Logical id in the template; the id callers invoke it by. */
  readonly logicalId: string;
  /** The function's code: the directory of its deployment asset, absolute (the bundle Lambda would unpack). */
  readonly codeDirectory: string;
  /** The handler's module in the code directory, without `.js`. Default `index` (Handler `index.handler`). */
  readonly handlerModule?: string;
  /** Exported handler name, e.g. `handler`. */
  readonly handlerExport: string;
  /** The function's environment variables, intrinsics already resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** ReservedConcurrentExecutions: the most instances this function may run at once. */
  readonly reservedConcurrency?: number;
  /** The function's name as Lambda would report it (`context.functionName`); defaults to the logical id. */
  readonly functionName?: string;
}
