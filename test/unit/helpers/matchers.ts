/** Asymmetric matchers typed as `unknown`, so they can sit inside typed object literals. */
export const anyString = (): unknown => expect.any(String) as unknown;
export const like = (value: Record<string, unknown>): unknown => expect.objectContaining(value) as unknown;
