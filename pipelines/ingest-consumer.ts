import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { decodeReport } from '../core/decode-report';
import type { ConsumerMetrics } from '../core/metrics';
import { dayOf, ensureReportPartitions } from '../core/store/ensure-report-partitions';
import { insertDeadLetters, type DeadLetter } from '../core/store/insert-dead-letters';
import { insertReports, uniqueViolation, type ExistingReports, type InsertedKey, type StoredReport, type StoredReportsHook } from '../core/store/insert-reports';
import { upsertDevices } from '../core/store/upsert-devices';
import type { Consumption, IncomingMessage, Transport } from './transport';

export type { StoredReportsHook };

export interface IngestConsumerOptions {
  db: Knex;
  transport: Transport;
  logger: Logger;
  metrics: ConsumerMetrics;
  /** Consumer group or subscription; default `ingest`. */
  group?: string;
  /** Most messages per committed batch; default 2000. */
  maxBatch?: number;
  /** Longest wait to fill a batch; default 50 ms. */
  maxWaitMs?: number;
  /** Redis Streams: batches handled at once; default 2 (Transport's default). */
  batchesInFlight?: number;
  /** Larger payloads are dead-lettered as oversized; default 64 KiB. */
  maxReportBytes?: number;
  /** Run inside each batch's transaction with the newly stored reports. */
  hooks?: StoredReportsHook[];
  /** Told about every committed batch (benchmarks measure publish → commit latency with it). */
  onCommitted?: (batch: IncomingMessage[], committedAt: number) => void;
  /** After a batch met a stored report, later batches skip stored reports for this long; default 10 s. */
  duplicateMemoryMs?: number;
  now?: () => number;
}

interface DecodedRow extends StoredReport {
  messageId: string;
  raw: Buffer;
}

interface SortedBatch {
  rows: DecodedRow[];
  letters: DeadLetter[];
}

export interface BatchOutcome {
  stored: number;
  duplicates: number;
  deadLetters: number;
}

// SQLSTATE classes 22 (data exception) and 23 (integrity violation) mean the data itself is bad:
// retrying the same batch would fail forever, so the rows are tried one by one instead.
const isDataError = (err: unknown) => /^2[23]/.test(String((err as { code?: string }).code ?? ''));

/** Reads reports from the transport and stores them: valid ones in `reports`, the rest in `dead_letters`. */
export class IngestConsumer {
  private readonly knownDays = new Set<number>();
  private consumption?: Consumption;
  private lastDuplicateAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: IngestConsumerOptions) {}

  start(): Consumption {
    const o = this.options;
    this.consumption = o.transport.consume(
      { group: o.group ?? 'ingest', maxBatch: o.maxBatch ?? 2000, maxWaitMs: o.maxWaitMs ?? 50, ...(o.batchesInFlight ? { batchesInFlight: o.batchesInFlight } : {}) },
      (batch) => this.handleBatch(batch).then(() => undefined),
    );
    return this.consumption;
  }

  async stop(): Promise<void> {
    await this.consumption?.stop();
  }

  /** Stores one batch durably; resolves only when it is committed. */
  async handleBatch(batch: IncomingMessage[]): Promise<BatchOutcome> {
    const started = process.hrtime.bigint();
    const sorted = this.sort(batch);
    await this.ensurePartitions(sorted.rows);
    let outcome: BatchOutcome;
    try {
      outcome = await this.commitNew(sorted);
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.options.logger.warn({ err }, 'batch rejected by the database; storing its reports one by one');
      outcome = await this.commitOneByOne(sorted);
    }
    this.record(batch, outcome, started);
    for (const l of sorted.letters) this.options.metrics.deadLetters.inc({ reason: l.reason });
    this.options.onCommitted?.(batch, Date.now());
    return outcome;
  }

  private sort(batch: IncomingMessage[]): SortedBatch {
    const maxBytes = this.options.maxReportBytes ?? 65_536;
    const source = this.options.transport.name;
    const rows: DecodedRow[] = [];
    const letters: DeadLetter[] = [];
    for (const m of batch) {
      const letter = { tenant: m.tenant, source, messageId: m.id, raw: m.data };
      if (!m.tenant) {
        letters.push({ ...letter, reason: 'no_tenant', fieldPath: '', message: 'message carries no tenant and the subscription fixes none' });
        continue;
      }
      const decoded = decodeReport(m.data, maxBytes);
      if (decoded.ok) rows.push({ tenant: m.tenant, report: decoded.report, json: m.data.toString('utf8'), messageId: m.id, raw: m.data });
      else letters.push({ ...letter, reason: decoded.reason, fieldPath: decoded.path, message: decoded.message });
    }
    return { rows, letters };
  }

  private async ensurePartitions(rows: DecodedRow[]): Promise<void> {
    const days = new Set(rows.map((r) => dayOf(Date.parse(r.report.ts))));
    const missing = [...days].filter((d) => !this.knownDays.has(d));
    if (missing.length === 0) return;
    await ensureReportPartitions(this.options.db, missing);
    for (const d of missing) this.knownDays.add(d);
  }

  /**
   * Commits assuming no report is stored yet (the cheaper insert); a batch that meets a stored
   * one is committed again skipping them, and so are the batches of the next few seconds, since
   * duplicates come in runs (a redelivered backlog, a client retrying).
   */
  private async commitNew({ rows, letters }: SortedBatch): Promise<BatchOutcome> {
    const now = this.options.now ?? Date.now;
    if (now() - this.lastDuplicateAt < (this.options.duplicateMemoryMs ?? 10_000)) return this.commit(rows, letters, 'skip');
    try {
      return await this.commit(rows, letters, 'fail');
    } catch (err) {
      if ((err as { code?: string }).code !== uniqueViolation) throw err;
      this.lastDuplicateAt = now();
      return this.commit(rows, letters, 'skip');
    }
  }

  private async commit(rows: DecodedRow[], letters: DeadLetter[], existing: ExistingReports = 'skip'): Promise<BatchOutcome> {
    return this.options.db.transaction(async (trx) => {
      let fresh = rows;
      if (existing === 'fail') await insertReports(trx, rows, 'fail');
      else fresh = pickInserted(rows, await insertReports(trx, rows));
      for (const hook of this.options.hooks ?? []) await hook(trx, fresh);
      const deadLetters = await insertDeadLetters(trx, letters);
      // Last: consecutive batches share devices, and a device row stays locked until commit.
      await upsertDevices(trx, fresh);
      return { stored: fresh.length, duplicates: rows.length - fresh.length, deadLetters };
    });
  }

  /** Isolates the rows the database refuses, so one poison report never stalls the stream. */
  private async commitOneByOne({ rows, letters }: SortedBatch): Promise<BatchOutcome> {
    const total: BatchOutcome = { stored: 0, duplicates: 0, deadLetters: 0 };
    const refused: DeadLetter[] = [];
    for (const row of rows) {
      try {
        const o = await this.commit([row], []);
        total.stored += o.stored;
        total.duplicates += o.duplicates;
      } catch (err) {
        if (!isDataError(err)) throw err;
        refused.push({
          tenant: row.tenant, source: this.options.transport.name, messageId: row.messageId, raw: row.raw,
          reason: 'store_failed', fieldPath: '', message: `the database refused it: ${(err as Error).message}`,
        });
      }
    }
    total.deadLetters = (await this.commit([], [...letters, ...refused])).deadLetters;
    return total;
  }

  private record(batch: IncomingMessage[], outcome: BatchOutcome, started: bigint): void {
    const m = this.options.metrics;
    const size = batch.length;
    m.batchSize.observe(size);
    const oldest = batch.reduce((min, b) => Math.min(min, b.publishedAt ?? Infinity), Infinity);
    if (Number.isFinite(oldest)) m.behindSeconds.set(Math.max(0, Date.now() - oldest) / 1000);
    m.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    m.messages.inc({ outcome: 'stored' }, outcome.stored);
    m.messages.inc({ outcome: 'duplicate' }, outcome.duplicates);
    m.messages.inc({ outcome: 'dead_letter' }, size - outcome.stored - outcome.duplicates);
  }
}

const keyOf = (tenant: string, deviceId: string, reportId: string, tsMs: number) =>
  `${tenant}\u0000${deviceId}\u0000${reportId}\u0000${tsMs}`;

/** The rows the database reported as newly inserted (a key repeated within the batch counts once). */
function pickInserted<T extends StoredReport>(rows: T[], inserted: InsertedKey[]): T[] {
  const byKey = new Map<string, T>();
  for (const r of rows) {
    const k = keyOf(r.tenant, r.report.deviceId, r.report.id, Date.parse(r.report.ts));
    if (!byKey.has(k)) byKey.set(k, r);
  }
  return inserted.map((i) => byKey.get(keyOf(i.tenant, i.device_id, i.report_id, i.ts.getTime()))).filter((r): r is T => r !== undefined);
}
