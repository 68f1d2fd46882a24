/**
 * Where `ws-notify deploy` would deploy, found before anything is synthesized or bundled: the AWS
 * credentials of the SDK's default provider chain (environment, SSO, shared config and
 * credentials files, credential process, web identity, container and instance metadata: the chain
 * the CDK CLI uses) and the region, then one STS GetCallerIdentity call, which proves that the
 * credentials work and names the account. Without it `cdk deploy` bundles every function for
 * ~20 s and only then fails with "Unable to resolve AWS account".
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CliError } from './cli-support';

export interface AwsTarget {
  readonly account: string;
  readonly region: string;
}

/** The message's first line: SDK errors can be long. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

/**
 * The account and region the default credentials reach, or a CliError (`aws_credentials`) of one
 * line saying what is missing. `client` is for tests; by default an STSClient with the SDK's
 * default credential chain and region.
 */
export async function resolveAwsTarget(client: STSClient = new STSClient({})): Promise<AwsTarget> {
  try {
    let region: string;
    try {
      region = await client.config.region();
    } catch (error) {
      throw new CliError('aws_credentials', 'no AWS region: set AWS_REGION, or a region in the profile of AWS_PROFILE (aws configure)', { cause: error });
    }
    try {
      await client.config.credentials();
    } catch (error) {
      throw new CliError(
        'aws_credentials',
        `no AWS credentials (${firstLine(error)}): set AWS_PROFILE (aws configure, aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        { cause: error },
      );
    }
    let account: string | undefined;
    try {
      account = (await client.send(new GetCallerIdentityCommand({}))).Account;
    } catch (error) {
      throw new CliError('aws_credentials', `the AWS credentials do not work in ${region} (STS GetCallerIdentity: ${firstLine(error)})`, { cause: error });
    }
    if (account === undefined) throw new CliError('aws_credentials', 'STS GetCallerIdentity named no account');
    return { account, region };
  } finally {
    client.destroy();
  }
}
