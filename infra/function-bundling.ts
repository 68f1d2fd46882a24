/**
 * What the functions' bundles leave out, shared by the deployment's bundling (NotifyFunction) and the
 * local runtime's (src/local/functions/bundle-functions.ts). No CDK import here: the local runtime
 * loads this module.
 */

/**
 * The credential providers of the SDK's default chain that a Lambda function never runs, left out of
 * the bundles. Lambda gives a function its credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN, which the chain's first provider (`fromEnv`, bundled) reads; the chain
 * imports these others lazily (`await import(…)`), only when that fails. Bundled, they and the STS,
 * SSO and sign-in clients they use are ~130 KiB of every function that reads, compiles and maps
 * (source maps) at each cold start for nothing; external, they would be loaded from the Lambda
 * runtime's copy of the SDK in the one case that reaches them (AWS_PROFILE set on the function).
 * aws/aws-sdk-js-v3 issues 5516 and 6087 describe the same dead weight.
 */
export const UNUSED_CREDENTIAL_PROVIDERS: readonly string[] = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
];
