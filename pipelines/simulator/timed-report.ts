import type { Report } from '../../core/report';

/** A generated report with its event time as epoch ms, so the stream orders without parsing ts. */
export interface TimedReport {
  ts: number;
  report: Report;
}
