import type { Transport } from '../transport';
import type { ReportSink } from './report-sink';
import type { TimedReport } from './timed-report';

/** Publishes each batch through the configured transport, keyed by device to keep its order. */
export class TransportSink implements ReportSink {
  readonly rejected = 0;

  constructor(private readonly transport: Pick<Transport, 'name' | 'publish' | 'close'>, private readonly tenant: string) {}

  get name(): string {
    return this.transport.name;
  }

  async send(batch: TimedReport[]): Promise<void> {
    await this.transport.publish(batch.map(({ report }) => ({ tenant: this.tenant, data: JSON.stringify(report), orderingKey: report.deviceId })));
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
