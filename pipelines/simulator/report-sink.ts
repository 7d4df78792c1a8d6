import type { TimedReport } from './timed-report';

/** Where the fleet runner sends batches of reports. */
export interface ReportSink {
  readonly name: string;
  send(batch: TimedReport[]): Promise<void>;
  /** Reports the receiver refused (HTTP validation); 0 where it cannot refuse. */
  readonly rejected: number;
  close(): Promise<void>;
}
