/** The JSON the benchmark writes (test-results/bench/*.json). */
import type { ColdStartResults } from '../scenarios/cold-start';
import type { ConnectionsResults } from '../scenarios/connections';
import type { FanoutResults } from '../scenarios/fanout';
import type { HandshakeUnderFanoutResults } from '../scenarios/handshake-under-fanout';
import type { InboxResults } from '../scenarios/inbox';
import type { PingResults } from '../scenarios/ping';
import type { RequestsResults } from '../scenarios/requests';
import type { StartupResults } from '../scenarios/startup';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryBytes: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load averages: a figure taken while other work ran on the machine is noisy. */
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly quick: boolean;
  readonly rounds: number;
  readonly machine: MachineInfo;
  readonly ping?: PingResults;
  readonly fanout?: FanoutResults;
  readonly inbox?: InboxResults;
  readonly connections?: ConnectionsResults;
  readonly startup?: StartupResults;
  readonly coldStart?: ColdStartResults;
  readonly requests?: RequestsResults;
  readonly handshakeUnderFanout?: HandshakeUnderFanoutResults;
}
