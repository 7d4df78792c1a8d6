import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createFeatureMetrics, createFeatureUpdater, upsertShipmentLegs, type ShipmentLeg } from '../features';
import { delayFeatureCatalog } from '../models/delay-feature-catalog';
import { feedLegEvents } from '../training/feed-leg-events';
import { FlightsSource } from '../training/flights/flights-source';
import { vegaDataFile } from '../training/flights/vega-data';

export interface LiveFlightTrafficOptions {
  db: Knex;
  logger: Logger;
  tenant: string;
  allowedLatenessMs: number;
  /** The replayed day ends (is cut) at this hour of day, UTC, mapped onto now: default 18 (a busy evening). */
  cutHourUtc?: number;
  now?: number;
}

export interface LiveFlightTraffic {
  /** Every replayed leg, times shifted (planned and past ones both). */
  legs: ShipmentLeg[];
  /** Events fed into the rolling features. */
  events: number;
  /** How far the 2001 times were moved forward (ms). */
  shiftMs: number;
}

const dayMs = 86_400_000;

/**
 * Real traffic for a benchmark tenant, as of now: the first two days of vega-datasets' 2001
 * flights (the same data the delay model learns from), shifted so that 18:00 UTC of the second
 * day falls a minute before now. Their legs are stored and their departed/arrived events up to
 * that instant fed to the same feature hook as live ingest, so hubs, lanes and the network have
 * about 40 hours of rolling features an online read sees as fresh; legs planned after it are
 * what a routing system would ask about.
 */
export async function replayLiveFlightTraffic(o: LiveFlightTrafficOptions): Promise<LiveFlightTraffic> {
  const source = await FlightsSource.open(vegaDataFile('flights-3m.parquet'), vegaDataFile('airports.csv'), 45_000);
  try {
    const days = (await source.summary()).days.slice(0, 2);
    const now = o.now ?? Date.now();
    const cut = (days[1] as number) * dayMs + (o.cutHourUtc ?? 18) * 3_600_000;
    const shiftMs = now - 60_000 - cut;
    const hook = createFeatureUpdater({
      allowedLatenessMs: o.allowedLatenessMs, logger: o.logger, metrics: createFeatureMetrics(new Registry()),
      catalog: delayFeatureCatalog, instance: `bench-replay-${o.tenant}`, now: () => now,
    });
    const legs: ShipmentLeg[] = [];
    let events = 0;
    for (const day of days) {
      const chunk = await source.day(day);
      const shifted = chunk.legs.map((l) => ({ ...l, plannedDeparture: l.plannedDeparture + shiftMs, plannedArrival: l.plannedArrival + shiftMs }));
      const past = chunk.events.filter((e) => e.ts <= cut).map((e) => ({ ...e, ts: e.ts + shiftMs }));
      await o.db.transaction(async (trx) => {
        await upsertShipmentLegs(trx, o.tenant, shifted);
        await feedLegEvents(trx, past, { tenant: o.tenant, deviceId: 'bench:flights-replay', hook, sliceMs: o.allowedLatenessMs });
      });
      legs.push(...shifted);
      events += past.length;
    }
    return { legs, events, shiftMs };
  } finally {
    source.close();
  }
}

/**
 * Up to `count` legs planned to depart from `from` on, spread over as many lanes as there are
 * (one leg per lane, round after round), in departure order within a round.
 */
export function spreadOverLanes(legs: readonly ShipmentLeg[], from: number, count: number): ShipmentLeg[] {
  const byLane = new Map<string, ShipmentLeg[]>();
  for (const leg of [...legs].filter((l) => l.plannedDeparture >= from).sort((a, b) => a.plannedDeparture - b.plannedDeparture)) {
    const lane = `${leg.from}>${leg.to}`;
    const list = byLane.get(lane) ?? [];
    list.push(leg);
    byLane.set(lane, list);
  }
  const out: ShipmentLeg[] = [];
  for (let round = 0; out.length < count; round++) {
    let any = false;
    for (const list of byLane.values()) {
      const leg = list[round];
      if (!leg) continue;
      any = true;
      out.push(leg);
      if (out.length === count) break;
    }
    if (!any) break;
  }
  return out;
}
