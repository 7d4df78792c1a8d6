import type { Knex } from 'knex';
import type { Condition } from '../condition';
import { lockZoneBaselines, zoneSignalKey, type ZoneSignalKey } from '../store/lock-zone-baselines';
import { upsertZoneBaselines, type ZoneBaselineUpdate } from '../store/upsert-zone-baselines';
import { judge, type EwmaBaseline } from './ewma-baseline';
import type { RuleInput } from './rule-input';

type Signal = 'parcels_per_min' | 'reject_rate';

interface Sample extends ZoneSignalKey {
  signal: Signal;
  x: number;
  input: RuleInput;
}

/**
 * Parcel-sorter anomalies against each zone's own rolling baseline (docs/ALERTS.md): a sorter
 * report names its zone in `hub` and counts `parcels` (and `rejects`) since its previous report,
 * over `interval_s` seconds (default 60). Throughput is parcels per minute, the reject rate
 * rejects / parcels. Each is judged by its standard score against an EWMA mean and variance.
 */
export async function sorterAnomalies(trx: Knex.Transaction, inputs: RuleInput[]): Promise<Condition[]> {
  const samples = inputs.flatMap(samplesOf).sort((a, b) => a.input.at - b.input.at);
  if (samples.length === 0) return [];
  const unique = new Map(samples.map((s) => [zoneSignalKey(s), { tenant: s.tenant, zone: s.zone, signal: s.signal }]));
  const baselines: Map<string, EwmaBaseline | undefined> = await lockZoneBaselines(trx, [...unique.values()]);
  const lastTs = new Map<string, number>();
  const conditions: Condition[] = [];
  for (const s of samples) {
    const key = zoneSignalKey(s);
    const sorter = s.input.rules.sorter;
    const isRate = s.signal === 'reject_rate';
    const j = judge(baselines.get(key), s.x, {
      alpha: sorter.alpha, warmup: sorter.warmupReports, raiseZ: sorter.raiseZ,
      minStd: isRate ? sorter.minStdRejectRate : sorter.minStdParcelsPerMin,
    });
    const before = baselines.get(key);
    baselines.set(key, j.next);
    lastTs.set(key, Math.max(lastTs.get(key) ?? 0, s.input.at));
    if (j.z === null || !before) continue;
    // A drop in throughput, a rise in rejects: the other direction is good news.
    const score = isRate ? j.z : -j.z;
    const active = score >= sorter.raiseZ ? true : score < sorter.clearZ ? false : undefined;
    if (active === undefined) continue;
    conditions.push(conditionOf(s, active, j.z, before));
  }
  const updates: ZoneBaselineUpdate[] = [...unique.entries()].map(([key, k]) => ({ ...k, ...baselines.get(key)!, lastTs: lastTs.get(key)! }));
  await upsertZoneBaselines(trx, updates);
  return conditions;
}

/** Whether any report in the batch is a sorter's count (sorterAnomalies has work to do). */
export function hasSorterSamples(inputs: RuleInput[]): boolean {
  return inputs.some((i) => samplesOf(i).length > 0);
}

function samplesOf(input: RuleInput): Sample[] {
  const { report, tenant } = input;
  const parcels = report.metrics?.parcels;
  if (report.hub === undefined || parcels === undefined || parcels < 0) return [];
  const minutes = (report.metrics?.interval_s ?? 60) / 60;
  if (!(minutes > 0)) return [];
  const out: Sample[] = [{ tenant, zone: report.hub, signal: 'parcels_per_min', x: parcels / minutes, input }];
  const rejects = report.metrics?.rejects;
  if (rejects !== undefined && parcels > 0) out.push({ tenant, zone: report.hub, signal: 'reject_rate', x: rejects / parcels, input });
  return out;
}

function conditionOf(s: Sample, active: boolean, z: number, b: EwmaBaseline): Condition {
  const drop = s.signal === 'parcels_per_min';
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    tenant: s.tenant, kind: drop ? 'sorter_throughput_drop' : 'sorter_reject_spike', subjectType: 'zone', subjectId: s.zone, ruleKey: '',
    active, at: s.input.at,
    severity: Math.abs(z) >= 2 * s.input.rules.sorter.raiseZ ? 'critical' : 'warning',
    message: drop
      ? `throughput of zone ${s.zone} fell to ${r(s.x)} parcels/min (baseline ${r(b.mean)}, z = ${r(z)})`
      : `reject rate of zone ${s.zone} rose to ${r(s.x)} (baseline ${r(b.mean)}, z = ${r(z)})`,
    details: { signal: s.signal, value: r(s.x), baselineMean: r(b.mean), baselineStd: r(Math.sqrt(b.variance)), z: r(z), reportId: s.input.report.id },
    deviceId: s.input.report.deviceId,
    location: s.input.report.location ? { lat: s.input.report.location.lat, lon: s.input.report.location.lon, ts: s.input.report.ts } : null,
  };
}
