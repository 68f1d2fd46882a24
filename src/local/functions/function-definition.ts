import type { FunctionModel } from '../template/stack-model';

/**
 * What the function runner needs to know about one function: the template's FunctionModel with the
 * environment already resolved to local values. `logicalId` is the id callers invoke it by;
 * `functionName`, the name Lambda would report (`context.functionName`), defaults to it; the handler's
 * module defaults to `index`.
 */
export interface LocalFunctionDefinition
  extends Pick<FunctionModel, 'logicalId' | 'codeDirectory' | 'handlerExport' | 'timeoutSeconds' | 'memorySizeMb' | 'reservedConcurrency'>,
    Partial<Pick<FunctionModel, 'handlerModule'>> {
  readonly environment: Readonly<Record<string, string>>;
  readonly functionName?: string;
}
