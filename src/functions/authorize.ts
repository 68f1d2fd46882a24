// Placeholder so the CDK app can reference the entry while the handler is being written (issue 2).
export const handler = (): Promise<never> => Promise.reject(new Error('authorize: not implemented yet'));
