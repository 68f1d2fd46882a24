/**
 * Metadata keys the CDK constructs write on resources and the local runtime's template reader
 * (src/local/template) reads: the one contract between infra/ and the local runtime besides
 * CloudFormation itself. It lives here, beside the constructs that write it: the runtime imports
 * infra/, infra/ never imports the runtime.
 */

/** On each AWS::SQS::Queue: its logical name (`NotifyUser`, `NotifyUserDeadLetter`, …), the key of the endpoints file's `queues`. */
export const QUEUE_NAME_METADATA_KEY = 'ws-notify:name';
