import type { Knex } from 'knex';
import type { EntityRef } from '../../features/entity';
import type { FeatureVector } from '../../features/feature-vector';
import { OnlineFeatureCache } from '../../features/online-feature-cache';
import type { ShipmentLeg } from '../../features/shipment-leg';
import { legRollingInputs } from './leg-rolling-inputs';

const db = {} as Knex;
const leg = (from: string, to: string): ShipmentLeg => ({ shipmentId: `${from}-${to}`, seq: 0, mode: 'air', from, to, plannedDeparture: 0, plannedArrival: 1 });

describe('leg rolling inputs', () => {
  const t0 = Date.UTC(2026, 10, 23, 12, 0, 10);
  const cache = new OnlineFeatureCache({
    db, maxAgeMs: 2000, now: () => t0,
    read: async (_tenant: string, entities: EntityRef[], at: number): Promise<FeatureVector[]> =>
      entities.map((entity) => ({ entity, at, values: { [`${entity.type}.x`]: entity.id.length, [`${entity.type}.none`]: null }, freshness: { [`${entity.type}.x`]: { asOf: at, lastEventAt: null } } })),
  });

  it('names each input <role>:<feature>, the same with or without freshness, one record per lane when the vectors are shared', async () => {
    const legs = [leg('ORD', 'DEN'), leg('ORD', 'DEN'), leg('SEA', 'ORD')];
    const full = await legRollingInputs(db, 'acme', legs, t0, cache);
    const lean = await legRollingInputs(db, 'acme', legs, t0, cache, false);
    expect(full[0]!.rolling).toEqual({
      'origin:hub.x': 3, 'origin:hub.none': null, 'destination:hub.x': 3, 'destination:hub.none': null,
      'lane:lane.x': expect.any(Number), 'lane:lane.none': null, 'network:network.x': expect.any(Number), 'network:network.none': null,
    });
    expect(Object.keys(full[0]!.rolling)).toEqual(Object.keys(lean[0]!.rolling));
    expect(lean.map((l) => l.rolling)).toEqual(full.map((l) => l.rolling));
    expect(full[0]!.freshness['origin:hub.x']).toEqual({ asOf: t0, lastEventAt: null });
    expect(lean[0]!.freshness).toEqual({});
    expect(lean[1]!.rolling).toBe(lean[0]!.rolling);
    expect((await legRollingInputs(db, 'acme', legs, t0, cache, false))[0]!.rolling).toBe(lean[0]!.rolling);
  });
});
