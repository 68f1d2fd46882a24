/** How an AWS SDK client (or the AWS CLI) reaches an embedded service. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The embedded services check that requests are signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Where the local runtime's servers listen: the gateway and the embedded services. */
export const LOCAL_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';
/** The account in local ARNs and queue URLs. */
export const DEFAULT_ACCOUNT_ID = '000000000000';
