import { type RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type CfnGlobalTable, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { CONNECTIONS_TABLE_NAME, NAME_METADATA_KEY } from '../template-metadata';

/** The sparse index of authorized connections by user (docs/architecture.md, connection record). */
export const USER_INDEX_NAME = 'byUser';
/** TTL attribute: unix seconds, connect time + 2 h + 15 min. */
export const TTL_ATTRIBUTE = 'ttl';

export interface ConnectionsTableProps {
  readonly removalPolicy: RemovalPolicy;
  /** Deletion protection (stages that retain data). */
  readonly deletionProtection: boolean;
}

/**
 * One record per WebSocket connection: on-demand, partition key `connectionId`, TTL on `ttl`, and
 * the sparse GSI `byUser` (userId, connectionId) that only authorized records enter, projecting
 * `expiresAt` and `ttl` so the NotifyUser fan-out filters expired connections from the index alone.
 * Named `Connections` in its `ws-notify:name` metadata.
 */
export class ConnectionsTable extends Construct {
  readonly table: TableV2;
  readonly userIndexName = USER_INDEX_NAME;

  constructor(scope: Construct, id: string, props: ConnectionsTableProps) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'connectionId', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      globalSecondaryIndexes: [
        {
          indexName: USER_INDEX_NAME,
          partitionKey: { name: 'userId', type: AttributeType.STRING },
          sortKey: { name: 'connectionId', type: AttributeType.STRING },
          projectionType: ProjectionType.INCLUDE,
          nonKeyAttributes: ['expiresAt', TTL_ATTRIBUTE],
        },
      ],
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    (this.table.node.defaultChild as CfnGlobalTable).addMetadata(NAME_METADATA_KEY, CONNECTIONS_TABLE_NAME);
  }
}
