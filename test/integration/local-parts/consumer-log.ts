import type { SQSRecord } from 'aws-lambda';
import type { FunctionLogEntry } from '../../../src/local/functions/function-events';

/** One record as test/fixtures/functions/sqs-consumer.ts logged it. */
export interface SeenRecord {
  readonly functionId: string;
  readonly requestId: string | undefined;
  readonly seen: string | null;
  readonly receiveCount: number;
  readonly batchSize: number;
  readonly seenAt: number;
  readonly record: SQSRecord;
}

/** Collects the `{"seen": …}` lines the sqs-consumer fixture writes, from the runner's log sink. */
export class ConsumerLog {
  readonly records: SeenRecord[] = [];

  readonly onLog = (entry: FunctionLogEntry): void => {
    if (entry.stream !== 'stdout') return;
    const message = entry.line.split('\t')[3];
    if (message === undefined || !message.startsWith('{"seen"')) return;
    const parsed = JSON.parse(message) as Omit<SeenRecord, 'functionId' | 'requestId'>;
    this.records.push({ functionId: entry.functionId, requestId: entry.requestId, ...parsed });
  };

  /** Records with that body id, in the order the function saw them. */
  of(id: string): SeenRecord[] {
    return this.records.filter((record) => record.seen === id);
  }

  /** The ids of each invocation's batch, in invocation order. */
  batchesOf(ids: readonly string[]): string[][] {
    const byRequest = new Map<string, string[]>();
    for (const record of this.records) {
      if (record.seen === null || !ids.includes(record.seen)) continue;
      const key = record.requestId ?? '';
      byRequest.set(key, [...(byRequest.get(key) ?? []), record.seen]);
    }
    return [...byRequest.values()];
  }
}
