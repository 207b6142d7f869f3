/**
 * What the rest of the app (IPC handlers, tray, dashboard, CLI, E2E harness) may ask of the log
 * capability. Implemented by `LogService` in this folder.
 */
import type { LogSource, LogsSummary } from '../core/contract';
import type { TopicSource } from '../core/subscriptions';
import type { LogLine, LogSourceInfo } from './contract';

export interface LogLinesParams {
  source: LogSource;
  tail?: number;
  since?: number;
}

export interface LogsApi {
  /** The project's compose services, Ollama and A1111, each with whether it is there now. */
  sources(): Promise<LogSourceInfo[]>;
  /** The `log-lines` topic: one ring buffer per open source, shared by every view of it. */
  linesSource(): TopicSource<LogLinesParams, LogLine>;
  /** The badge: what the snapshot's `logs` part holds. */
  summary(): LogsSummary;
  /** The user saw the errors: the count goes to 0 (returns how many there were). */
  ackErrors(): number;
  dispose(): Promise<void>;
}
