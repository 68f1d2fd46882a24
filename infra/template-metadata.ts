/**
 * What the constructs write on resources for the local runtime's template reader
 * (src/local/template) to find: the one contract between infra/ and the local runtime besides
 * CloudFormation itself. It lives here, beside the constructs that write it: the runtime imports
 * infra/, infra/ never imports the runtime.
 */

/**
 * On each function, queue and table of the service: its name in the service, whatever its logical
 * id in the stack that holds the construct. Functions: `Ping`, `NotifyUser`, …; queues:
 * `NotifyUser`, `NotifyUserDeadLetter`, … (the keys of the endpoints file's `queues`); the table:
 * CONNECTIONS_TABLE_NAME. The local runtime names them by it in its logs, its console and the
 * endpoints file.
 */
export const NAME_METADATA_KEY = 'ws-notify:name';

/** The `ws-notify:name` of the connections table. */
export const CONNECTIONS_TABLE_NAME = 'Connections';
/** The `ws-notify:name` of the inbox table. */
export const INBOX_TABLE_NAME = 'Inbox';
