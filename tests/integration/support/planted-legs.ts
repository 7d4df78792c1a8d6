import type { Knex } from 'knex';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs, type ShipmentLeg } from '../../../features';
import { delayFeatureCatalog } from '../../../models/delay-feature-catalog';
import { feedLegEvents } from '../../../training/feed-leg-events';
import type { LegEvent } from '../../../training/leg-event';
import { mulberry32 } from '../../../training/seeded-random';
import { upsertLegOutcomes, type LegOutcome } from '../../../training/store/upsert-leg-outcomes';

export interface PlantedLegsOptions {
  tenant: string;
  legs: number;
  days: number;
  start?: number;
  seed?: number;
  /** Also feed departed/arrived events through the feature hook, so rolling features exist (slower). */
  withEvents?: boolean;
}

const hubs = ['ATL', 'ORD', 'DEN', 'DFW', 'LAX', 'SEA'];
/** The planted pattern: legs out of these hubs are late 85% of the time, the others 10%. */
export const lateHubs = new Set(['ATL', 'ORD']);

/**
 * Small labelled history with a pattern a model can learn: single-leg air shipments spread over
 * `days`, late or not by their origin hub. Written as the importers write it (legs, outcomes and,
 * optionally, their events through the same feature hook), in one transaction.
 */
export async function writePlantedLegs(db: Knex, o: PlantedLegsOptions): Promise<{ from: number; to: number }> {
  const random = mulberry32(o.seed ?? 11);
  const start = o.start ?? Date.UTC(2001, 0, 1);
  const span = o.days * 86_400_000;
  const legs: ShipmentLeg[] = [];
  const outcomes: LegOutcome[] = [];
  const events: LegEvent[] = [];
  for (let i = 0; i < o.legs; i++) {
    const from = hubs[Math.floor(random() * hubs.length)] as string;
    let to = hubs[Math.floor(random() * hubs.length)] as string;
    if (to === from) to = hubs[(hubs.indexOf(from) + 1) % hubs.length] as string;
    const dep = start + Math.floor((i / o.legs) * span);
    const arr = dep + 3 * 3_600_000;
    const late = random() < (lateHubs.has(from) ? 0.85 : 0.1);
    const delayMin = late ? 30 + random() * 60 : -10 + random() * 20;
    const shipmentId = `${o.tenant}-${i}`;
    legs.push({ shipmentId, seq: 0, mode: 'air', from, to, plannedDeparture: dep, plannedArrival: arr });
    outcomes.push({ shipmentId, seq: 0, departedAt: dep, arrivedAt: arr + Math.round(delayMin * 60_000) });
    events.push({ shipmentId, code: 'departed', hub: from, ts: dep }, { shipmentId, code: 'arrived', hub: to, ts: arr + Math.round(delayMin * 60_000) });
  }
  await writeLegHistory(db, o.tenant, { legs, outcomes, events: o.withEvents ? events : [] });
  return { from: start, to: start + span };
}

export interface CongestedHubLegsOptions {
  tenant: string;
  days: number;
  start?: number;
  seed?: number;
  /** Legs planned per hour over all hubs (default 30: five arrivals an hour at each hub). */
  legsPerHour?: number;
  /** Congestion: moving between hubs at random (the default), none (false), or exactly these episodes. */
  congestion?: boolean | CongestionEpisode[];
  /** History known so far: events at or after this instant are left out, and so are the outcomes of legs not arrived by then. */
  until?: number;
}

/** The hubs of the congestion history: the predicted-delay test's HAM, MUC and BER and three more. */
export const congestedHubs: readonly string[] = ['HAM', 'MUC', 'BER', 'FRA', 'CGN', 'STR'];

/** A congestion episode of one hub: every leg planned to arrive there within [from, to) is late. */
export interface CongestionEpisode {
  hub: string;
  from: number;
  to: number;
}

const hourMs = 3_600_000;

/**
 * Labelled road history whose lateness is caused by congestion at the destination hub, which the
 * rolling feature `destination:hub.arrival_delay_mean_1h` shows at planned departure. A leg
 * planned to arrive at a congested hub arrives 60–120 min late, any other within ±10 min. Legs of
 * 2.5–3.5 h run between random pairs of hubs, evenly spread over time (five arrivals an hour at
 * each hub by default), and leave up to 10 min after plan. Departed and arrived events go through
 * the feature hook as `writePlantedLegs(… withEvents: true)` feeds them.
 */
export async function writeCongestedHubLegs(db: Knex, o: CongestedHubLegsOptions): Promise<{ from: number; to: number; legs: number; episodes: CongestionEpisode[] }> {
  const random = mulberry32(o.seed ?? 17);
  const start = o.start ?? Date.UTC(2001, 0, 1);
  const span = o.days * 86_400_000;
  const until = o.until ?? Number.POSITIVE_INFINITY;
  const episodes: CongestionEpisode[] = Array.isArray(o.congestion) ? [...o.congestion] : [];
  if (o.congestion === undefined || o.congestion === true) episodes.push(...rotatingCongestion(random, start - 24 * hourMs, start + span + 6 * hourMs));
  const congested = (hub: string, at: number) => episodes.some((e) => e.hub === hub && e.from <= at && at < e.to);
  const count = Math.round(o.days * 24 * (o.legsPerHour ?? 30));
  const legs: ShipmentLeg[] = [];
  const outcomes: LegOutcome[] = [];
  const events: LegEvent[] = [];
  for (let i = 0; i < count; i++) {
    const from = congestedHubs[Math.floor(random() * congestedHubs.length)] as string;
    const to = congestedHubs[(congestedHubs.indexOf(from) + 1 + Math.floor(random() * (congestedHubs.length - 1))) % congestedHubs.length] as string;
    const dep = start + Math.floor((i / count) * span);
    const arr = dep + Math.round((2.5 + random()) * hourMs);
    const departed = dep + Math.round(random() * 10 * 60_000);
    const delayMin = congested(to, arr) ? 60 + random() * 60 : -10 + random() * 20;
    const arrived = arr + Math.round(delayMin * 60_000);
    if (dep >= until) break;
    const shipmentId = `${o.tenant}-${start.toString(36)}-${i}`;
    legs.push({ shipmentId, seq: 0, mode: 'road', from, to, plannedDeparture: dep, plannedArrival: arr });
    if (departed >= until) continue;
    events.push({ shipmentId, code: 'departed', hub: from, ts: departed });
    if (arrived >= until) continue;
    outcomes.push({ shipmentId, seq: 0, departedAt: departed, arrivedAt: arrived });
    events.push({ shipmentId, code: 'arrived', hub: to, ts: arrived });
  }
  await writeLegHistory(db, o.tenant, { legs, outcomes, events });
  return { from: start, to: start + span, legs: legs.length, episodes };
}

/**
 * Congestion episodes of 16–32 h that move between hubs: two hubs are congested at any time, so
 * the share of late legs is the same at every hour and weekday and only the rolling features can
 * tell which legs will be late. When an episode ends, congestion moves to a hub that was clear.
 */
function rotatingCongestion(random: () => number, from: number, to: number): CongestionEpisode[] {
  const out: CongestionEpisode[] = [];
  const length = () => (16 + random() * 16) * hourMs;
  const held = congestedHubs.slice(0, 2).map((hub) => ({ hub, from, to: from + random() * length() }));
  for (;;) {
    held.sort((x, y) => x.to - y.to);
    const ending = held[0] as CongestionEpisode;
    out.push({ ...ending });
    if (ending.to >= to) break;
    const free = congestedHubs.filter((h) => h !== ending.hub && !held.some((e) => e.hub === h));
    held[0] = { hub: free[Math.floor(random() * free.length)] as string, from: ending.to, to: ending.to + length() };
  }
  return out.concat(held.slice(1));
}

/**
 * Writes legs and outcomes as the importers do and, if there are any, feeds their events through
 * the same feature hook (sliced by the allowed lateness), all in one transaction.
 */
async function writeLegHistory(db: Knex, tenant: string, h: { legs: ShipmentLeg[]; outcomes: LegOutcome[]; events: LegEvent[] }): Promise<void> {
  await db.transaction(async (trx) => {
    await upsertShipmentLegs(trx, tenant, h.legs);
    await upsertLegOutcomes(trx, tenant, h.outcomes);
    if (h.events.length > 0) {
      const hook = createFeatureUpdater({
        allowedLatenessMs: 900_000, logger: pino({ level: 'silent' }), metrics: createFeatureMetrics(new Registry()), catalog: delayFeatureCatalog, instance: `planted-${tenant}`,
      });
      await feedLegEvents(trx, h.events, { tenant, deviceId: 'planted', hook, sliceMs: 900_000 });
    }
  });
}

/** Shuffles the outcomes of legs planned before `before` among themselves: labels no input can predict. */
export async function shuffleOutcomesBefore(db: Knex, tenant: string, before: number, seed = 5): Promise<number> {
  const rows = (await db.raw(
    `SELECT o.shipment_id, o.seq, o.arrived_at - l.planned_arrival AS delay
     FROM leg_outcomes o JOIN shipment_legs l USING (tenant, shipment_id, seq)
     WHERE o.tenant = ? AND l.planned_departure < to_timestamp(? / 1000.0) ORDER BY o.shipment_id`,
    [tenant, before],
  )).rows as { shipment_id: string; seq: number; delay: unknown }[];
  const random = mulberry32(seed);
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  await db.transaction(async (trx) => {
    for (let k = 0; k < rows.length; k++) {
      const target = rows[k] as { shipment_id: string; seq: number };
      const source = rows[order[k] as number] as { delay: unknown };
      await trx.raw(
        `UPDATE leg_outcomes o SET arrived_at = l.planned_arrival + ?::interval
         FROM shipment_legs l WHERE l.tenant = o.tenant AND l.shipment_id = o.shipment_id AND l.seq = o.seq
           AND o.tenant = ? AND o.shipment_id = ? AND o.seq = ?`,
        [intervalText(source.delay), tenant, target.shipment_id, target.seq],
      );
    }
  });
  return rows.length;
}

// pg returns intervals as objects ({ minutes, seconds, milliseconds, ... }); back to text for the update.
function intervalText(v: unknown): string {
  if (typeof v === 'string') return v;
  const i = v as Record<string, number | undefined>;
  const ms = (i.days ?? 0) * 86_400_000 + (i.hours ?? 0) * 3_600_000 + (i.minutes ?? 0) * 60_000 + (i.seconds ?? 0) * 1000 + (i.milliseconds ?? 0);
  return `${ms} milliseconds`;
}
