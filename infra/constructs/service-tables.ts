import { AttributeType, Billing, type CfnGlobalTable, ProjectionType, TableV2, type TablePropsV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DEFAULT_INBOX_ID_INDEX_NAME, DEFAULT_USER_INDEX_NAME } from '../../src/commons/constants';
import { CONNECTIONS_TABLE_NAME, INBOX_TABLE_NAME, NAME_METADATA_KEY } from '../template-metadata';

/** TTL attribute of both tables: unix seconds. */
export const TTL_ATTRIBUTE = 'ttl';

export type ServiceTableProps = Required<Pick<TablePropsV2, 'removalPolicy' | 'deletionProtection'>>;

/** A table of the service: on-demand, TTL on `ttl`, `name` in its `ws-notify:name` metadata, and these keys and indexes. */
function serviceTable(scope: Construct, name: string, props: ServiceTableProps, keys: Omit<TablePropsV2, 'billing' | 'timeToLiveAttribute'>): TableV2 {
  const table = new TableV2(scope, 'Table', { ...keys, billing: Billing.onDemand(), timeToLiveAttribute: TTL_ATTRIBUTE, ...props });
  (table.node.defaultChild as CfnGlobalTable).addMetadata(NAME_METADATA_KEY, name);
  return table;
}

/**
 * One record per WebSocket connection (expiring at connect time + 2 h + 15 min): partition key
 * `connectionId`, and the sparse GSI `byUser` (userId, connectionId) that only authorized records
 * enter, projecting `expiresAt` and `ttl` so the NotifyUser fan-out filters expired connections
 * from the index alone (docs/architecture.md, connection record). Named `Connections`.
 */
export class ConnectionsTable extends Construct {
  readonly table: TableV2;
  readonly userIndexName = DEFAULT_USER_INDEX_NAME;

  constructor(scope: Construct, id: string, props: ServiceTableProps) {
    super(scope, id);
    this.table = serviceTable(this, CONNECTIONS_TABLE_NAME, props, {
      partitionKey: { name: 'connectionId', type: AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: this.userIndexName,
          partitionKey: { name: 'userId', type: AttributeType.STRING },
          sortKey: { name: 'connectionId', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['expiresAt', TTL_ATTRIBUTE],
        },
      ],
    });
  }
}

/**
 * Every user's inbox, one partition per user: partition key `userId`, sort key `sk` (`h` the head
 * with the latest `seq`, `n#<seq>` a notification, `c#<connectionId>` a recent connection; the
 * last two expire), and the local secondary index `byId` (userId, id) projecting `storedAt`, which
 * finds a notification id strongly consistently (docs/architecture.md, "Inbox"). Named `Inbox`.
 */
export class InboxTable extends Construct {
  readonly table: TableV2;
  readonly idIndexName = DEFAULT_INBOX_ID_INDEX_NAME;

  constructor(scope: Construct, id: string, props: ServiceTableProps) {
    super(scope, id);
    this.table = serviceTable(this, INBOX_TABLE_NAME, props, {
      partitionKey: { name: 'userId', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      localSecondaryIndexes: [
        {
          indexName: this.idIndexName,
          sortKey: { name: 'id', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['storedAt'],
        },
      ],
    });
  }
}
