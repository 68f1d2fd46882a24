/**
 * What the function runner needs to know about one function. The runtime builds these from the
 * StackModel's FunctionModel, with the environment already resolved to local values.
 */
export interface LocalFunctionDefinition {
  /** Logical id in the template; the id callers invoke it by. */
  readonly logicalId: string;
  /** TypeScript entry file, relative to the project root (or absolute). */
  readonly entry: string;
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
