import { Redis } from 'ioredis';
import { loadConfig } from '../core/config';
import { createDb, type Db } from '../core/db';
import { createLogger } from '../core/logger';
import { createApiKey } from '../core/store/create-api-key';
import { upsertShipmentLegs, type ShipmentLeg } from '../features';
import { createArtifactStore } from '../models/registry/create-artifact-store';
import { loadDelayModel } from '../models/registry/load-delay-model';
import { loadTensorflow } from '../models/tf-backend';
import { RedisStreamsTransport } from '../pipelines/redis-streams-transport';
import { legRollingInputs } from '../pipelines/scoring/leg-rolling-inputs';
import { benchChampion } from './bench-champion';
import { ProcessSampler, watchPostgres } from './e2e-process-sampler';
import { startFlowcast, stopChild } from './child-process';
import { latencySummary } from './latency';
import { listenForOpenedAlerts } from './alert-stream-listener';
import { replayLiveFlightTraffic } from './live-flight-traffic';
import { plantCongestion } from './planted-congestion';
import type { Benchmark, BenchmarkOptions } from './run';

const tenant = 'bench';
const minute = 60_000;

/**
 * The scoring consumer as it runs in production: `flowcast score` and `flowcast api` as processes
 * of their own on a copy of the bench model database (a promoted champion delay model trained on
 * the real 2001 flights, bench/bench-champion.ts). Before the load, the tenant gets live traffic:
 * two days of real flights replayed to end now (legs and rolling features of hubs, lanes and the
 * network), and `--shipments` of its devices (trackers on trucks, containers and air cargo) each
 * carry a shipment with a booked leg under way on a real lane — so each of their reports makes the
 * consumer read the leg's online features, score it with the champion and update the shipment.
 * The rest (sorters, drones) carry none. Planted: low-battery reports (`--planted` per second,
 * each on a device of its own) and first reports of shipments on legs out of a jammed hub that the
 * champion, before the run, gives P(late) ≥ 0.8 (`--plantedDelay` per second, each a shipment of
 * its own). After `--warmup` seconds of the same load, planted conditions included (their alerts
 * counted apart, as warmupAlerts), latency = publish of a
 * planted report → its alert's `opened` event read from the SSE stream; missed = planted
 * conditions without one once the stream is drained.
 */
export const benchmark: Benchmark = {
  name: 'scoring',
  description: 'reports → scoring consumer (own process, champion delay model, booked legs, live features) → alert on the SSE stream of the API (own process)',
  async run(options: BenchmarkOptions) {
    const seconds = options.seconds ?? 20;
    const warmupSeconds = Number(options.warmup ?? 5);
    const rate = Number(options.rate ?? 5000);
    const devices = Number(options.devices ?? 3000);
    const plantedPerSec = Number(options.planted ?? 20);
    const plantedDelayPerSec = Number(options.plantedDelay ?? 4);
    const partitions = Number(options.partitions ?? 1);
    const shipmentShare = Number(options.shipments ?? 0.8);
    const databaseUrl = process.env.DATABASE_URL;
    const redisUrl = process.env.REDIS_URL;
    if (!databaseUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set: run it as `npm run bench -- scoring`');
    if (!(Number.isInteger(partitions) && partitions >= 1)) throw new Error('--partitions is the number of scoring processes, a whole number from 1');
    if (!(shipmentShare >= 0 && shipmentShare <= 1)) throw new Error('--shipments is the share of devices on a booked shipment leg, between 0 and 1');
    const say = (line: string) => process.stderr.write(`bench scoring: ${line}\n`);

    const setupStarted = Date.now();
    const dbName = 'flowcast_bench_scoring';
    const bench = await benchChampion(databaseUrl, dbName);
    const dbUrl = bench.databaseUrl;
    const config = loadConfig({ ...process.env, DATABASE_URL: dbUrl });
    const logger = createLogger({ name: 'bench-scoring', level: 'warn' });
    const db = createDb({ url: dbUrl, poolMax: 2 });
    const traffic = await replayLiveFlightTraffic({ db, logger, tenant, allowedLatenessMs: config.FEATURE_ALLOWED_LATENESS_MS });
    say(`live traffic: ${traffic.legs.length} real legs replayed, ${traffic.events} events fed to the rolling features (ending a minute ago)`);

    const now = Date.now();
    const trackers = Array.from({ length: devices }, (_, i) => i).filter((i) => isTracker(i, shipmentShare));
    const underWay = inFlightLegs(traffic.legs, now, (warmupSeconds + seconds + 180) * 1000);
    if (trackers.length > 0 && underWay.length === 0) throw new Error('no replayed leg is under way now: cannot book tracker legs');
    const trackerLegs: ShipmentLeg[] = trackers.map((i, k) => ({ ...(underWay[k % underWay.length] as ShipmentLeg), shipmentId: `trk-shp-${i}`, seq: 0 }));
    await upsertShipmentLegs(db, tenant, trackerLegs);
    say(`booked ${trackerLegs.length} tracker shipments (${Math.round(shipmentShare * 100)}% of ${devices} devices) on ${new Set(trackerLegs.map((l) => `${l.from}>${l.to}`)).size} lanes under way now`);

    // Late legs for the warm-up too, so its alerts take the paths the measured ones will (opens, explanations) before anything is counted.
    const warmDelays = Math.ceil(plantedDelayPerSec * warmupSeconds);
    const planted = await plantDelays(db, traffic.legs, config.FEATURE_ALLOWED_LATENESS_MS, warmDelays + Math.ceil(plantedDelayPerSec * seconds), logger, say);
    const warmLegs = planted.legs.slice(0, warmDelays);
    const lateLegs = planted.legs.slice(warmDelays);
    const trackerP = await championCheck(db, trackerLegs, Date.now(), logger);
    say(`champion before the run: P(late) ≥ 0.7 for ${trackerP.filter((p) => p >= 0.7).length} of ${trackerLegs.length} tracker legs (their shipments' predicted-delay alerts are counted apart)`);
    const setupSeconds = (Date.now() - setupStarted) / 1000;

    const { key } = await createApiKey(db, { tenant, scopes: ['read'] });
    const streamKey = `flowcast:bench:scoring:${Date.now()}`;
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const env = {
      DATABASE_URL: dbUrl, REDIS_URL: redisUrl, STREAM_KEY: streamKey, STREAM_GROUPS: 'scoring', SCORING_PARTITIONS: String(partitions),
      LOG_LEVEL: 'info', HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1',
    };
    // One scoring process per partition, each with its own metrics port.
    const metricsUrls = Array.from({ length: partitions }, (_, k) => `http://127.0.0.1:${port + 1000 + k}/metrics`);
    const scorers = await Promise.all(Array.from({ length: partitions }, (_, k) =>
      startFlowcast(['score', '--no-webhooks', '--partition', String(k)], { ...env, METRICS_PORT: String(port + 1000 + k) }, /scoring consumer started/)));
    const api = await startFlowcast(['api'], env, /API listening/);

    const redis = new Redis(redisUrl);
    const transport = new RedisStreamsTransport({ redis, logger, streamKey });
    const sentBattery = new Map<string, number>();
    const sentDelay = new Map<string, number>();
    const batteryLatencies: number[] = [];
    const delayLatencies: number[] = [];
    // Every counted alert's send time and latency, to say when in the run the slowest ones were sent.
    const timeline: { sentAt: number; ms: number; kind: string }[] = [];
    const otherAlerts: Record<string, number> = {};
    const warmShipments = new Set(warmLegs.map((l) => l.shipmentId));
    let warmupAlerts = 0;
    const stream = await listenForOpenedAlerts(`http://127.0.0.1:${port}/v1/alerts/stream`, key, (alert) => {
      const at = Date.now();
      if (alert.kind === 'battery_low' && alert.deviceId !== null && sentBattery.has(alert.deviceId)) {
        const sentAt = sentBattery.get(alert.deviceId) as number;
        batteryLatencies.push(at - sentAt);
        timeline.push({ sentAt, ms: at - sentAt, kind: 'battery' });
        sentBattery.delete(alert.deviceId);
      } else if (alert.kind === 'predicted_delay' && sentDelay.has(alert.subject.id)) {
        const sentAt = sentDelay.get(alert.subject.id) as number;
        delayLatencies.push(at - sentAt);
        timeline.push({ sentAt, ms: at - sentAt, kind: 'delay' });
        sentDelay.delete(alert.subject.id);
      } else if (alert.deviceId?.startsWith('warm-planted-') || warmShipments.has(alert.subject.id)) {
        warmupAlerts++;
      } else {
        otherAlerts[alert.kind] = (otherAlerts[alert.kind] ?? 0) + 1;
      }
    });

    // Warm-up: the same load, planted conditions included, nothing counted, so the consumer's
    // caches, its compiled code and the database are in the state of a consumer that has been
    // running (one that has opened alerts before).
    let warm = 0;
    let warmBattery = 0;
    let warmDelay = 0;
    const warmStarted = Date.now();
    while (Date.now() - warmStarted < warmupSeconds * 1000) {
      const elapsed = (Date.now() - warmStarted) / 1000;
      const due = Math.floor(elapsed * rate) - warm;
      const ts = new Date().toISOString();
      const batch = Array.from({ length: due }, (_, i) => JSON.stringify(deviceReport(warm + i, devices, shipmentShare, ts, 'w')));
      for (; warmBattery < Math.floor(elapsed * plantedPerSec); warmBattery++) batch.push(JSON.stringify(lowBatteryReport(`w${warmBattery}`, `warm-planted-${warmBattery}`, ts)));
      for (; warmDelay < Math.min(Math.floor(elapsed * plantedDelayPerSec), warmLegs.length); warmDelay++) {
        batch.push(JSON.stringify(lateLegReport(`wl${warmDelay}`, `warm-late-${warmDelay}`, warmLegs[warmDelay]!, ts)));
      }
      await transport.publish(batch.map((data) => ({ tenant, data })));
      warm += due;
      await new Promise((r) => setTimeout(r, 10));
    }

    const before = await scrapeAll(metricsUrls);
    const sampler = new ProcessSampler({ api: api.pid! });
    sampler.add('scoring', scorers.map((s) => s.pid!));
    const stopPgWatch = await watchPostgres(sampler, db, dbName);
    let published = 0;
    let onShipments = 0;
    let plantedBattery = 0;
    let plantedDelay = 0;
    const started = Date.now();
    const tickMs = 10;
    while (Date.now() - started < seconds * 1000) {
      const elapsed = (Date.now() - started) / 1000;
      const due = Math.floor(elapsed * rate) - published;
      const batteryDue = Math.floor(elapsed * plantedPerSec) - plantedBattery;
      const delayDue = Math.min(Math.floor(elapsed * plantedDelayPerSec), lateLegs.length) - plantedDelay;
      const batch: string[] = [];
      const ts = new Date().toISOString();
      for (let i = 0; i < due; i++) {
        const report = deviceReport(published + i, devices, shipmentShare, ts, 'r');
        if (report.shipmentId !== undefined) onShipments++;
        batch.push(JSON.stringify(report));
      }
      const batteryNow: string[] = [];
      for (let i = 0; i < batteryDue; i++) {
        const d = `planted-${plantedBattery + i}`;
        batteryNow.push(d);
        batch.push(JSON.stringify(lowBatteryReport(`p${plantedBattery + i}`, d, ts)));
      }
      const delayNow: string[] = [];
      for (let i = 0; i < delayDue; i++) {
        const leg = lateLegs[plantedDelay + i] as ShipmentLeg;
        delayNow.push(leg.shipmentId);
        batch.push(JSON.stringify(lateLegReport(`l${plantedDelay + i}`, `late-${plantedDelay + i}`, leg, ts)));
      }
      const at = Date.now();
      await transport.publish(batch.map((data) => ({ tenant, data })));
      for (const d of batteryNow) sentBattery.set(d, at);
      for (const s of delayNow) sentDelay.set(s, at);
      published += due;
      plantedBattery += batteryDue;
      plantedDelay += delayDue;
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const publishSeconds = (Date.now() - started) / 1000;
    const drainedAt = await waitDrained(redis, streamKey, 120_000);
    stopPgWatch();
    const usage = sampler.stop();
    await new Promise((r) => setTimeout(r, 1000));
    stream.close();
    const after = await scrapeAll(metricsUrls);
    const predictions = (after.predicted ?? 0) - (before.predicted ?? 0);
    const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
    const batches = delta('batch_size_count');
    const total = published + plantedBattery + plantedDelay;
    const all = latencySummary([...batteryLatencies, ...delayLatencies]);
    const battery = latencySummary(batteryLatencies);
    const delay = latencySummary(delayLatencies);
    const drainSeconds = (drainedAt - started) / 1000;
    await Promise.all([...scorers.map(stopChild), stopChild(api)]);
    await redis.del(streamKey);
    redis.disconnect();
    await db.destroy();
    return {
      reportsPerSec: Math.round(total / drainSeconds),
      offeredPerSec: Math.round(total / publishSeconds),
      scoredPerSec: Math.round(predictions / drainSeconds),
      modelVersion: `${bench.model.name} v${bench.model.version}`,
      modelAuc: bench.model.auc === null ? null : Math.round(bench.model.auc * 1000) / 1000,
      alertP50Ms: all.p50,
      alertP99Ms: all.p99,
      alertMaxMs: all.max,
      // The five slowest: seconds into the measured run (and past the minute, where hub and lane tiles turn) when sent, and how late.
      slowestAlerts: slowest(timeline, started, 5),
      missedAlerts: plantedBattery - batteryLatencies.length + plantedDelay - delayLatencies.length,
      batteryAlertP50Ms: battery.p50,
      batteryAlertP99Ms: battery.p99,
      plantedBattery,
      missedBatteryAlerts: plantedBattery - batteryLatencies.length,
      delayAlertP50Ms: delay.p50,
      delayAlertP99Ms: delay.p99,
      plantedDelay,
      missedDelayAlerts: plantedDelay - delayLatencies.length,
      warmupAlerts,
      otherAlerts: Object.entries(otherAlerts).map(([k, n]) => `${k} ${n}`).join(', '),
      reports: total,
      reportsOnShipments: onShipments + plantedDelay,
      predictions,
      trackerShipments: trackerLegs.length,
      trackerLegsPredictedLateBefore: trackerP.filter((p) => p >= 0.7).length,
      jammedHub: planted.hub,
      scoringPartitions: partitions,
      // Percent of one core (all scoring processes together) from the end of the warm-up until drained; the machine's 2 cores also run this load generator and Redis.
      scoringCpuPct: usage.cpuPct.scoring,
      postgresCpuPct: usage.cpuPct.postgres,
      apiCpuPct: usage.cpuPct.api,
      scoringCpuUsPerReport: Math.round((usage.cpuPct.scoring! / 100) * drainSeconds * 1e6 / total),
      // The consumer's batches over the same span: how many, their mean size, and their mean time from read to committed.
      scoringBatches: batches,
      scoringMeanBatchSize: batches > 0 ? Math.round(delta('batch_size_sum') / batches) : null,
      scoringMeanBatchMs: batches > 0 ? Math.round((delta('batch_seconds_sum') / batches) * 10000) / 10 : null,
      seconds: Math.round(publishSeconds * 10) / 10,
      warmupSeconds,
      drainSeconds: Math.round(drainSeconds * 10) / 10,
      setupSeconds: Math.round(setupSeconds),
    };
  },
};

function slowest(timeline: { sentAt: number; ms: number; kind: string }[], started: number, n: number): string {
  return [...timeline].sort((a, b) => b.ms - a.ms).slice(0, n)
    .map((t) => `${t.ms} ms ${t.kind} at ${((t.sentAt - started) / 1000).toFixed(1)} s (:${(new Date(t.sentAt).getUTCSeconds() + (t.sentAt % 1000) / 1000).toFixed(1)})`)
    .join('; ');
}

/** A planted low-battery report: its device's alert opens. */
function lowBatteryReport(id: string, deviceId: string, ts: string): Record<string, unknown> {
  return { id, deviceId, ts, location: { lat: 50, lon: 8 }, metrics: { battery_pct: 5 } };
}

/** A planted shipment's first report, on a leg the champion predicts late: its predicted-delay alert opens. */
function lateLegReport(id: string, deviceId: string, leg: ShipmentLeg, ts: string): Record<string, unknown> {
  return { id, deviceId, ts, shipmentId: leg.shipmentId, location: { lat: 41.9, lon: -87.9 }, metrics: { battery_pct: 80 } };
}

/** The n-th ordinary report: device n mod devices, on its shipment when it is a tracker. */
function deviceReport(n: number, devices: number, shipmentShare: number, ts: string, prefix: string): Record<string, unknown> {
  const d = n % devices;
  return {
    id: `${prefix}${n}`, deviceId: `dev-${d}`, ts, location: { lat: 48 + (n % 100) / 100, lon: 11, speedKph: 60 + (n % 30) },
    metrics: { battery_pct: 60 + (n % 40), temp_c: 4 }, ...(isTracker(d, shipmentShare) ? { shipmentId: `trk-shp-${d}` } : {}),
  };
}

/** Devices on a booked shipment leg: `share` of them, spread evenly over the device numbers. */
function isTracker(device: number, share: number): boolean {
  return Math.floor((device + 1) * share) > Math.floor(device * share);
}

/** Replayed legs in the air now that stay under way for at least `forMs` more, spread over their lanes (one per lane in turn). */
function inFlightLegs(legs: readonly ShipmentLeg[], now: number, forMs: number): ShipmentLeg[] {
  const byLane = new Map<string, ShipmentLeg[]>();
  for (const l of legs) {
    if (l.plannedDeparture > now || l.plannedArrival < now + forMs) continue;
    const lane = `${l.from}>${l.to}`;
    byLane.set(lane, [...(byLane.get(lane) ?? []), l]);
  }
  const out: ShipmentLeg[] = [];
  for (let round = 0; ; round++) {
    const before = out.length;
    for (const list of byLane.values()) if (list[round]) out.push(list[round] as ShipmentLeg);
    if (out.length === before) return out;
  }
}

/**
 * Legs of planted late shipments: a busy hub jams (for 12 minutes its flights leave and arrive
 * 2.5 h late, fed to the rolling features), and shipments on real lanes out of it are booked,
 * leaving within the hour. Whether the champion calls them late is checked before the run.
 */
async function plantDelays(
  db: Db, replayed: readonly ShipmentLeg[], allowedLatenessMs: number, count: number,
  logger: ReturnType<typeof createLogger>, say: (line: string) => void,
): Promise<{ hub: string; legs: ShipmentLeg[] }> {
  const lanes = new Map<string, { from: string; to: string; blockMs: number }>();
  for (const l of replayed) lanes.set(`${l.from}>${l.to}`, { from: l.from, to: l.to, blockMs: l.plannedArrival - l.plannedDeparture });
  const outOf = new Map<string, { from: string; to: string; blockMs: number }[]>();
  for (const l of lanes.values()) outOf.set(l.from, [...(outOf.get(l.from) ?? []), l]);
  // The hub with the most lanes out of it in the replayed traffic.
  const [hub, outbound] = [...outOf].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!hub || !outbound) throw new Error('no lanes to plant late shipments on');
  const inbound = [...lanes.values()].filter((l) => l.to === hub).map((l) => l.from);
  const now = Date.now();
  await plantCongestion({ db, logger, tenant, hub, destinations: outbound.map((l) => l.to), origins: inbound.length > 0 ? inbound : [outbound[0]!.to], allowedLatenessMs, now });
  // Candidates: every lane out of it, leaving 10 min to 12 h from now; the champion picks.
  const candidates: ShipmentLeg[] = [];
  for (let offset = 10; offset < 12 * 60; offset += 20) {
    for (const lane of outbound) {
      const plannedDeparture = now + offset * minute;
      candidates.push({ shipmentId: `late-shp-${candidates.length}`, seq: 0, mode: 'air', from: lane.from, to: lane.to, plannedDeparture, plannedArrival: plannedDeparture + lane.blockMs });
    }
  }
  const p = await championCheck(db, candidates, Date.now(), logger);
  const legs = candidates.map((leg, i) => ({ leg, p: p[i] as number })).filter((c) => c.p >= 0.8).sort((a, b) => b.p - a.p).slice(0, count).map((c) => c.leg);
  await upsertShipmentLegs(db, tenant, legs);
  say(`${hub} jammed (40 flights out and 40 in, 150 min late, in the last 12 min); of ${candidates.length} candidate legs out of it (${outbound.length} lanes, leaving within 12 h) the champion gives ${p.filter((x) => x >= 0.8).length} P(late) ≥ 0.8 (median ${median(p).toFixed(2)}); ${legs.length} booked as planted late shipments`);
  return { hub, legs };
}

/** P(late) of legs by the champion with their online features as of `at`, computed here as the consumer will (one batch). */
async function championCheck(db: Db, legs: ShipmentLeg[], at: number, logger: ReturnType<typeof createLogger>): Promise<number[]> {
  const { tf } = await loadTensorflow(logger);
  const { model } = await loadDelayModel(db, createArtifactStore({ MODEL_ARTIFACTS_DIR: 'artifacts/models' }), tf);
  try {
    const inputs = await legRollingInputs(db, tenant, legs, at);
    return [...model.predict(legs.map((l, i) => ({ from: l.from, to: l.to, mode: l.mode, plannedDeparture: l.plannedDeparture, plannedArrival: l.plannedArrival, rolling: inputs[i]!.rolling }))).pLate];
  } finally {
    model.dispose();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.floor(s.length / 2)] as number);
}

/** The counters of every scoring process, added up. */
async function scrapeAll(urls: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const one of await Promise.all(urls.map(scrapeCounters))) for (const [k, v] of Object.entries(one)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** One scoring process's `flowcast_consumer_messages_total` by outcome, and its batch histograms' sums and counts. */
async function scrapeCounters(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^flowcast_consumer_messages_total\{[^}]*outcome="([^"]+)"[^}]*\} (\S+)$/gm)) out[m[1] as string] = Number(m[2]);
  // Histogram sums and counts: batches committed, their messages and their time.
  for (const m of text.matchAll(/^flowcast_consumer_(batch_size|batch_seconds)_(sum|count)(?:\{[^}]*\})? (\S+)$/gm)) out[`${m[1]}_${m[2]}`] = Number(m[3]);
  return out;
}

/** Resolves with the time at which every scoring group had read and acknowledged everything. */
async function waitDrained(redis: Redis, streamKey: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const groups = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
    const all = groups.map((x) => Object.fromEntries(Array.from({ length: x.length / 2 }, (_, i) => [String(x[2 * i]), x[2 * i + 1]])));
    if (all.length > 0 && all.every((g) => Number(g.lag) === 0 && Number(g.pending) === 0)) return Date.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the scoring consumer did not drain the stream in time');
}
