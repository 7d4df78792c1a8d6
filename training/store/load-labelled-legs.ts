import type { Knex } from 'knex';
import type { ShipmentLeg } from '../../features';

export interface LabelledLegs {
  from: string[];
  to: string[];
  mode: ShipmentLeg['mode'][];
  plannedDeparture: Float64Array;
  plannedArrival: Float64Array;
  delayMin: Float32Array;
}

const pageSize = 200_000;

/**
 * Legs of a tenant with a known arrival, planned to depart in [from, to), oldest first, read in
 * pages by key so three million legs never sit in one result set.
 */
export async function loadLabelledLegs(db: Knex, tenant: string, from: number, to: number, limit?: number): Promise<LabelledLegs> {
  const out: LabelledLegs & { n: number } = { n: 0, from: [], to: [], mode: [], plannedDeparture: new Float64Array(1024), plannedArrival: new Float64Array(1024), delayMin: new Float32Array(1024) };
  let after: [number, string] = [from - 1, ''];
  for (;;) {
    const take = limit === undefined ? pageSize : Math.min(pageSize, limit - out.n);
    if (take <= 0) break;
    const rows = (await db.raw(
      `SELECT l.shipment_id, l.mode, l.from_hub, l.to_hub,
              (extract(epoch FROM l.planned_departure) * 1000)::float8 AS dep,
              (extract(epoch FROM l.planned_arrival) * 1000)::float8 AS arr,
              (extract(epoch FROM o.arrived_at - l.planned_arrival) / 60)::float8 AS delay
       FROM shipment_legs l JOIN leg_outcomes o USING (tenant, shipment_id, seq)
       WHERE l.tenant = ? AND l.planned_departure < to_timestamp(? / 1000.0)
         AND (l.planned_departure, l.shipment_id) > (to_timestamp(? / 1000.0), ?)
       ORDER BY l.planned_departure, l.shipment_id
       LIMIT ?`,
      [tenant, to, after[0], after[1], take],
    )).rows as { shipment_id: string; mode: ShipmentLeg['mode']; from_hub: string; to_hub: string; dep: number; arr: number; delay: number }[];
    for (const r of rows) push(out, r);
    const last = rows[rows.length - 1];
    if (!last || rows.length < take) break;
    after = [last.dep, last.shipment_id];
  }
  return {
    from: out.from, to: out.to, mode: out.mode,
    plannedDeparture: out.plannedDeparture.slice(0, out.n), plannedArrival: out.plannedArrival.slice(0, out.n), delayMin: out.delayMin.slice(0, out.n),
  };
}

function push(out: LabelledLegs & { n: number }, r: { mode: ShipmentLeg['mode']; from_hub: string; to_hub: string; dep: number; arr: number; delay: number }): void {
  if (out.n === out.plannedDeparture.length) {
    const grow = <T extends Float64Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    out.plannedDeparture = grow(out.plannedDeparture, (n) => new Float64Array(n));
    out.plannedArrival = grow(out.plannedArrival, (n) => new Float64Array(n));
    out.delayMin = grow(out.delayMin, (n) => new Float32Array(n));
  }
  out.from.push(r.from_hub);
  out.to.push(r.to_hub);
  out.mode.push(r.mode);
  out.plannedDeparture[out.n] = r.dep;
  out.plannedArrival[out.n] = r.arr;
  out.delayMin[out.n] = r.delay;
  out.n++;
}
