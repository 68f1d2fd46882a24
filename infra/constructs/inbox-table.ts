import { type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type CfnGlobalTable, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INBOX_TABLE_NAME, NAME_METADATA_KEY } from '../template-metadata';

/** The local secondary index of notifications by id (docs/architecture.md, "Inbox"). */
export const INBOX_ID_INDEX_NAME = 'byId';
/** TTL attribute of stored notifications and recent-connection pointers: unix seconds. */
export const INBOX_TTL_ATTRIBUTE = 'ttl';

export interface InboxTableProps {
  readonly removalPolicy: RemovalPolicy;
  /** Deletion protection (stages that retain data). */
  readonly deletionProtection: boolean;
}

/**
 * Every user's inbox, one partition per user: on-demand, partition key `userId`, sort key `sk`
 * (`h` the head with the latest `seq`, `n#<seq>` a notification, `c#<connectionId>` a recent
 * connection), TTL on `ttl`, and the local secondary index `byId` (userId, id) projecting
 * `storedAt`, which finds a notification id strongly consistently. Named `Inbox` in its
 * `ws-notify:name` metadata.
 */
export class InboxTable extends Construct {
  readonly table: TableV2;
  readonly idIndexName = INBOX_ID_INDEX_NAME;

  constructor(scope: Construct, id: string, props: InboxTableProps) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'userId', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: INBOX_TTL_ATTRIBUTE,
      localSecondaryIndexes: [
        {
          indexName: INBOX_ID_INDEX_NAME,
          sortKey: { name: 'id', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['storedAt'],
        },
      ],
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    (this.table.node.defaultChild as CfnGlobalTable).addMetadata(NAME_METADATA_KEY, INBOX_TABLE_NAME);
  }
}
