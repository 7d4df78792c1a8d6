import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { parseReportJson, validateReport } from '../core/decode-report';
import type { ConsumerMetrics } from '../core/metrics';
import type { Report } from '../core/report';
import { OnlineFeatureCache } from '../features/online-feature-cache';
import { shipmentKey } from '../features/store/find-shipment-legs';
import { applyConditions, planAlertChanges, type AppliedChanges } from './alerts/apply-conditions';
import type { Condition } from './alerts/condition';
import type { AlertChange } from './alerts/store/append-alert-events';
import { OpenAlertIndex } from './alerts/open-alert-index';
import { batteryRule } from './alerts/rules/battery-rule';
import { droneRiskRule } from './alerts/rules/drone-risk-rule';
import { geofenceRule } from './alerts/rules/geofence-rule';
import { metricRangeRule } from './alerts/rules/metric-range-rule';
import type { RuleInput } from './alerts/rules/rule-input';
import { hasSorterSamples, sorterAnomalies } from './alerts/rules/sorter-anomaly-rule';
import type { RulesCache } from './alerts/rules-cache';
import { findDeviceLocations } from './alerts/store/find-device-locations';
import type { DelayScorerSource } from './scoring/delay-scorer';
import { scoreShipments, type ScoringCaches, type ShipmentScoring } from './scoring/score-shipments';
import { partitionGroup, partitionOfDevice, wholeStream, type ReportPartition } from './scoring/report-partition';
import { ShipmentLegCache } from './scoring/shipment-leg-cache';
import { findUnarrivedShipmentLegs } from './scoring/store/find-unarrived-shipment-legs';
import { predictionsAndStatus, savePredictionsAndStatus } from './scoring/store/save-predictions-and-status';
import type { Consumption, IncomingMessage, Transport } from './transport';

export interface ScoringConsumerOptions {
  db: Knex;
  transport: Transport;
  logger: Logger;
  metrics: ConsumerMetrics;
  rules: RulesCache;
  scorer: DelayScorerSource;
  /** Announces committed changes (SSE wake-up, webhook jobs). */
  afterCommit: (applied: AppliedChanges) => Promise<void>;
  /** Consumer group or subscription; default `scoring`. With a partition of several, `<group>-<k>of<N>`. */
  group?: string;
  /**
   * The share of devices this consumer scores (pipelines/scoring/report-partition.ts); it reads
   * the whole stream in a group of its own and acknowledges other devices' reports unread.
   * Default the whole stream.
   */
  partition?: ReportPartition;
  maxBatch?: number;
  maxWaitMs?: number;
  maxReportBytes?: number;
  random?: () => number;
  /**
   * Longest the consumer reuses a hub's, lane's or the network's online features read for an
   * earlier batch, in the same tiles (features/online-feature-cache.ts: read again in the
   * background after half of it, and read ahead within a second of a tile boundary). Their
   * tiles are a minute or longer, so values change at boundaries; this bounds only how late an
   * event that lands in a closed tile reaches predictions. Default 10,000 ms; 0 reads them for every batch.
   */
  featureCacheMaxAgeMs?: number;
  /** Longest a shipment's booked legs are reused (pipelines/scoring/shipment-leg-cache.ts; read again in the background after half of it); default 2,000 ms, 0 reads them for every batch. */
  legCacheMaxAgeMs?: number;
}

export const scoringActor = 'system:scoring';

const perReportRules = [batteryRule, metricRangeRule, droneRiskRule, geofenceRule];

/**
 * The second consumer of the report stream, in its own group: evaluates each tenant's alert
 * rules on every report, scores shipments' current legs with the champion delay model, and
 * commits alert changes, predictions and shipment status, in one transaction per batch when the
 * batch changes an alert and one statement when it does not. It never writes reports (ingest
 * does), so a slow ingest never holds it back, nor the other way round.
 */
export class ScoringConsumer {
  private consumption?: Consumption;
  // Batches commit one after another, in the order they were read: a device's raise and clear in
  // consecutive batches must not commit the other way round.
  private previous: Promise<unknown> = Promise.resolve();
  private readonly caches: ScoringCaches;
  private readonly openAlerts = new OpenAlertIndex();

  constructor(private readonly options: ScoringConsumerOptions) {
    const featureMaxAgeMs = options.featureCacheMaxAgeMs ?? 10_000;
    const legMaxAgeMs = options.legCacheMaxAgeMs ?? 2000;
    this.caches = {
      ...(featureMaxAgeMs > 0
        ? { features: new OnlineFeatureCache({ db: options.db, maxAgeMs: featureMaxAgeMs, refreshAfterMs: featureMaxAgeMs / 2, readAheadMs: Math.min(1000, featureMaxAgeMs / 2) }) }
        : {}),
      ...(legMaxAgeMs > 0
        ? {
          legs: new ShipmentLegCache({
            maxAgeMs: legMaxAgeMs, refreshInBackground: true, read: findUnarrivedShipmentLegs,
            onBackgroundError: (err) => options.logger.warn({ err }, 'reading shipment legs in the background failed; they are read again when they expire'),
          }),
        }
        : {}),
    };
  }

  start(): Consumption {
    const o = this.options;
    this.consumption = o.transport.consume(
      // Up to three batches handled at once (one committing, the others preparing), and the next
      // read while two are; commits stay in read order (handleBatch). Against two, alternating at 5,000 reports/s, p99 was lower in four of five pairs (docs/BENCHMARKS.md).
      { group: partitionGroup(o.group ?? 'scoring', o.partition ?? wholeStream), maxBatch: o.maxBatch ?? 1000, maxWaitMs: o.maxWaitMs ?? 5, batchesInFlight: 3 },
      (batch) => this.handleBatch(batch).then(() => undefined),
    );
    return this.consumption;
  }

  async stop(): Promise<void> {
    await this.consumption?.stop();
    await this.caches.features?.settled();
    await this.caches.legs?.settled();
  }

  /**
   * A batch's reads (decoding, shipment legs, online features, the model) start at once, while
   * the batch before may still be committing; its commit waits for that one's, so commits keep
   * the order in which batches were read. The one thing the reads look at that this consumer
   * writes is a shipment's arrival (legs of arrived shipments are not read): a batch prepared
   * while the arrival commits may still score the shipment, and opening its alert checks again.
   */
  handleBatch(batch: IncomingMessage[]): Promise<AppliedChanges> {
    const started = process.hrtime.bigint();
    const prepared = this.prepare(batch);
    // Its failure is reported by the commit that awaits it, not as an unhandled rejection meanwhile.
    prepared.catch(() => undefined);
    const next = this.previous.catch(() => undefined).then(() => this.commit(batch, prepared, started));
    this.previous = next;
    return next;
  }

  private async prepare(batch: IncomingMessage[]): Promise<{ inputs: RuleInput[]; otherPartitions: number; shipments: ShipmentScoring }> {
    const o = this.options;
    const { inputs, otherPartitions } = await this.decode(batch);
    const scorer = await o.scorer();
    const shipments = await scoreShipments(o.db, inputs, scorer, o.random ?? Math.random, this.caches);
    return { inputs, otherPartitions, shipments };
  }

  private async commit(batch: IncomingMessage[], prepared: ReturnType<ScoringConsumer['prepare']>, started: bigint): Promise<AppliedChanges> {
    const o = this.options;
    const { inputs, otherPartitions, shipments } = await prepared;
    const conditions = [...inputs.flatMap(evaluate), ...shipments.conditions];
    // Sorter reports update zone baselines under a row lock: always the transaction.
    const sorters = hasSorterSamples(inputs);
    const applied = (sorters ? undefined : await this.commitWithoutAlertChanges(inputs, conditions, shipments))
      ?? (await this.commitWithAlertChanges(inputs, conditions, shipments, sorters));
    await o.afterCommit(applied);
    o.metrics.batchSize.observe(batch.length);
    o.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    o.metrics.messages.inc({ outcome: 'scored' }, inputs.length);
    // Of those, the reports whose shipment leg the delay model scored (one per shipment and batch: its latest report).
    if (shipments.predictions.length > 0) o.metrics.messages.inc({ outcome: 'predicted' }, shipments.predictions.length);
    if (otherPartitions > 0) o.metrics.messages.inc({ outcome: 'other_partition' }, otherPartitions);
    const invalid = batch.length - inputs.length - otherPartitions;
    if (invalid > 0) o.metrics.messages.inc({ outcome: 'invalid' }, invalid);
    return applied;
  }

  /**
   * Most batches change no alert (every report "still fine", every alert already open). Known
   * from the open-alert index without a transaction, such a batch writes its predictions and
   * shipment status in one statement: two round trips instead of five. Undefined, with the index
   * caught up, when the batch may change an alert.
   */
  private async commitWithoutAlertChanges(inputs: RuleInput[], conditions: Condition[], shipments: ShipmentScoring): Promise<AppliedChanges | undefined> {
    const db = this.options.db;
    await this.openAlerts.catchUp(db, inputs.map((i) => i.tenant));
    const plan = planAlertChanges(conditions, this.openAlerts);
    if (plan.toOpen.length > 0 || plan.toResolve.length > 0) return undefined;
    await savePredictionsAndStatus(db, keptPredictions(shipments, []), shipments.statuses);
    return { events: [], deliveryIds: [] };
  }

  /**
   * Alert changes, their events and webhook deliveries, the predictions (which say whether they
   * changed an alert) and shipment status: one transaction, of two statements when no alert is
   * opened and resolved in the same batch (opens and resolves; the rest). The open-alert index is
   * caught up just before the alert statements, by commitWithoutAlertChanges or, for a batch with
   * sorter reports, here: what others commit after that is seen by the next batch.
   */
  private commitWithAlertChanges(inputs: RuleInput[], reportConditions: Condition[], shipments: ShipmentScoring, sorters: boolean): Promise<AppliedChanges> {
    return this.options.db.transaction(async (trx) => {
      const conditions = sorters ? [...reportConditions, ...(await sorterAnomalies(trx, inputs))] : reportConditions;
      await fillLocations(trx, conditions);
      if (sorters) await this.openAlerts.catchUp(trx, inputs.map((i) => i.tenant));
      return applyConditions(trx, conditions, scoringActor, {
        index: this.openAlerts,
        alongside: (changes) => predictionsAndStatus(keptPredictions(shipments, changes), shipments.statuses),
      });
    });
  }

  /**
   * Valid reports of this partition's devices with their tenant's rules; invalid ones are skipped
   * (ingest dead-letters them), and so are other partitions' reports, before being validated.
   */
  private async decode(batch: IncomingMessage[]): Promise<{ inputs: RuleInput[]; otherPartitions: number }> {
    const partition = this.options.partition ?? wholeStream;
    const decoded: { tenant: string; report: Report }[] = [];
    let otherPartitions = 0;
    for (const m of batch) {
      const parsed = parseReportJson(m.data, this.options.maxReportBytes ?? 65_536);
      const deviceId = parsed.ok ? (parsed.value as { deviceId?: unknown } | null)?.deviceId : undefined;
      // A message with no device to go by is partition 0's (counted invalid there, once).
      const owner = typeof deviceId === 'string' ? partitionOfDevice(deviceId, partition.count) : 0;
      if (owner !== partition.index) {
        otherPartitions++;
        continue;
      }
      if (!m.tenant || !parsed.ok) continue;
      const valid = validateReport(parsed.value);
      if (valid.ok) decoded.push({ tenant: m.tenant, report: valid.report });
    }
    const rules = await this.options.rules.get([...new Set(decoded.map((d) => d.tenant))]);
    return { inputs: decoded.map((d) => ({ ...d, at: Date.parse(d.report.ts), rules: rules.get(d.tenant)! })), otherPartitions };
  }
}

/** Every per-report rule, plus: any report proves its device is no longer silent. */
function evaluate(input: RuleInput): Condition[] {
  const alive: Condition = {
    tenant: input.tenant, kind: 'device_silent', subjectType: 'device', subjectId: input.report.deviceId, ruleKey: '',
    active: false, at: input.at, clearReason: 'device_reported',
  };
  return [alive, ...perReportRules.flatMap((rule) => rule(input))];
}

/** An alert carries the device's last location: the report's own, else the last one stored. */
async function fillLocations(trx: Knex, conditions: Condition[]): Promise<void> {
  const missing = conditions.filter((c) => c.active && !c.location && c.deviceId);
  if (missing.length === 0) return;
  const found = await findDeviceLocations(trx, missing.map((c) => ({ tenant: c.tenant, deviceId: c.deviceId! })));
  for (const c of missing) c.location = found.get(`${c.tenant}\u0000${c.deviceId}`) ?? null;
}

/** The sampled predictions and every one whose shipment's predicted-delay alert changed. */
function keptPredictions(s: ShipmentScoring, changes: AlertChange[]) {
  const changed = new Set(changes.filter((c) => c.row.kind === 'predicted_delay').map((c) => shipmentKey(c.row.tenant, c.row.subject_id)));
  const kept = [];
  for (const prediction of s.predictions) {
    const changedAlert = changed.size > 0 && changed.has(shipmentKey(prediction.tenant, prediction.shipmentId));
    if (!prediction.sampled && !changedAlert) continue;
    const { sampled: _sampled, ...p } = prediction;
    kept.push({ ...p, changedAlert });
  }
  return kept;
}
