import type { ReportSink } from './report-sink';
import type { TimedReport } from './timed-report';

/**
 * Serialises every report as a real sink would and drops it: measures what generation alone
 * costs (`flowcast simulate --via none`).
 */
export class DiscardSink implements ReportSink {
  readonly name = 'none';
  readonly rejected = 0;
  bytes = 0;

  async send(batch: TimedReport[]): Promise<void> {
    for (const { report } of batch) this.bytes += JSON.stringify(report).length;
  }

  async close(): Promise<void> {}
}
