/** Reads the template's DynamoDB tables: key schema, global and local secondary indexes and TTL attribute. */
import { type IndexModel, type KeySchemaModel, type TableModel } from './stack-model';
import { type ResourceTypeSpec, type TemplateResources } from './template-resources';
import { isRecord } from '../is-record';

const GLOBAL_TABLE = 'AWS::DynamoDB::GlobalTable';
const TABLE = 'AWS::DynamoDB::Table';
const READ = ['TableName', 'KeySchema', 'AttributeDefinitions', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes', 'TimeToLiveSpecification'];

export const TABLE_RESOURCE_TYPES: Readonly<Record<string, ResourceTypeSpec>> = {
  [GLOBAL_TABLE]: {
    read: READ,
    awsOnly: ['BillingMode', 'Replicas', 'SSESpecification', 'WriteProvisionedThroughputSettings', 'WriteOnDemandThroughputSettings', 'WarmThroughput'],
  },
  [TABLE]: {
    read: READ,
    awsOnly: [
      'BillingMode',
      'ProvisionedThroughput',
      'OnDemandThroughput',
      'PointInTimeRecoverySpecification',
      'DeletionProtectionEnabled',
      'SSESpecification',
      'ContributorInsightsSpecification',
      'TableClass',
      'Tags',
      'WarmThroughput',
      'ResourcePolicy',
    ],
  },
};

type AttributeType = 'S' | 'N' | 'B';

/** Every table (TableV2's global tables, then plain tables) by logical id. */
export function readTables(resources: TemplateResources): Record<string, TableModel> {
  const tables: Record<string, TableModel> = {};
  for (const id of [...resources.ids(GLOBAL_TABLE), ...resources.ids(TABLE)]) tables[id] = readTable(resources, id);
  return tables;
}

function readTable(resources: TemplateResources, id: string): TableModel {
  const props = resources.props(id);
  const invalid = (message: string) => resources.error(id, 'invalid_template', message);

  const attributeTypes = new Map<string, AttributeType>();
  const definitions = props.AttributeDefinitions;
  if (!Array.isArray(definitions)) throw invalid('AttributeDefinitions must be a list');
  for (const definition of definitions) {
    if (!isRecord(definition) || typeof definition.AttributeName !== 'string' || !['S', 'N', 'B'].includes(definition.AttributeType as string)) {
      throw invalid('each AttributeDefinition needs AttributeName and AttributeType S, N or B');
    }
    attributeTypes.set(definition.AttributeName, definition.AttributeType as AttributeType);
  }
  const keySchema = (value: unknown, where: string): KeySchemaModel => {
    if (!Array.isArray(value)) throw invalid(`${where} must be a list`);
    const key = (keyType: 'HASH' | 'RANGE') => {
      const element = value.find((item) => isRecord(item) && item.KeyType === keyType) as Record<string, unknown> | undefined;
      if (element === undefined) return undefined;
      const name = element.AttributeName;
      const attributeType = typeof name === 'string' ? attributeTypes.get(name) : undefined;
      if (typeof name !== 'string' || attributeType === undefined) throw invalid(`${where}: ${String(name)} has no AttributeDefinition`);
      return { name, type: attributeType };
    };
    const partitionKey = key('HASH');
    if (partitionKey === undefined) throw invalid(`${where} has no HASH key`);
    const sortKey = key('RANGE');
    return sortKey === undefined ? { partitionKey } : { partitionKey, sortKey };
  };

  const readIndexes = (property: 'GlobalSecondaryIndexes' | 'LocalSecondaryIndexes'): IndexModel[] => {
    const declared = props[property] ?? [];
    if (!Array.isArray(declared)) throw invalid(`${property} must be a list`);
    return declared.map((index: unknown) => {
      if (!isRecord(index) || typeof index.IndexName !== 'string' || !isRecord(index.Projection)) {
        throw invalid(`each of ${property} needs IndexName, KeySchema and Projection`);
      }
      const projectionType = index.Projection.ProjectionType ?? 'KEYS_ONLY';
      if (projectionType !== 'ALL' && projectionType !== 'KEYS_ONLY' && projectionType !== 'INCLUDE') {
        throw invalid(`index ${index.IndexName}: ProjectionType ${JSON.stringify(projectionType)}`);
      }
      const nonKey = index.Projection.NonKeyAttributes;
      if (nonKey !== undefined && (!Array.isArray(nonKey) || !nonKey.every((name): name is string => typeof name === 'string'))) {
        throw invalid(`index ${index.IndexName}: NonKeyAttributes must be a list of strings`);
      }
      return {
        indexName: index.IndexName,
        ...keySchema(index.KeySchema, `index ${index.IndexName} KeySchema`),
        projection: { type: projectionType, ...(nonKey !== undefined ? { nonKeyAttributes: nonKey } : {}) },
      };
    });
  };
  const globalSecondaryIndexes = readIndexes('GlobalSecondaryIndexes');
  const localSecondaryIndexes = readIndexes('LocalSecondaryIndexes');
  const tableKey = keySchema(props.KeySchema, 'KeySchema');
  for (const index of localSecondaryIndexes) {
    if (index.partitionKey.name !== tableKey.partitionKey.name || index.sortKey === undefined) {
      throw invalid(`local secondary index ${index.indexName} must have the table's partition key and a sort key`);
    }
  }

  const ttl = props.TimeToLiveSpecification ?? {};
  if (!isRecord(ttl) || (ttl.Enabled === true && typeof ttl.AttributeName !== 'string')) {
    throw invalid('TimeToLiveSpecification must be an object, with an AttributeName when enabled');
  }
  return {
    logicalId: id,
    name: resources.nameOf(id),
    tableName: resources.optionalString(id, 'TableName'),
    ...tableKey,
    globalSecondaryIndexes,
    localSecondaryIndexes,
    ttlAttribute: ttl.Enabled === true ? (ttl.AttributeName as string) : undefined,
  };
}
