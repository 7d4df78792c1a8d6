import { distanceKm } from './geo';
import { hubCodes, loadHubs } from './hubs';
import { positionAlong, RoadNetwork, roadCircuity } from './road-network';

describe('road network between real hubs', () => {
  const hubs = loadHubs();
  const network = new RoadNetwork(hubs);

  it('reads real coordinates from vega-datasets', () => {
    expect(hubs).toHaveLength(hubCodes.length);
    const atl = network.hub('ATL');
    expect(atl.lat).toBeCloseTo(33.64, 1);
    expect(atl.lon).toBeCloseTo(-84.43, 1);
  });

  it('connects every hub to every other by road', () => {
    for (const a of hubs) for (const b of hubs) if (a !== b) expect(network.route(a.code, b.code).hubs.at(-1)).toBe(b);
  });

  it('routes along existing roads, no shorter than the great circle and shortest among direct alternatives', () => {
    const route = network.route('SEA', 'MIA');
    for (let i = 1; i < route.hubs.length; i++) {
      const roads = new Map(network.roadsOf(route.hubs[i - 1]!.code));
      expect(roads.get(route.hubs[i]!.code)).toBeCloseTo(route.cumKm[i]! - route.cumKm[i - 1]!, 6);
    }
    expect(route.totalKm).toBeGreaterThanOrEqual(distanceKm(network.hub('SEA'), network.hub('MIA')) * roadCircuity);
    const direct = new Map(network.roadsOf('ATL')).get('CLT');
    if (direct !== undefined) expect(network.route('ATL', 'CLT').totalKm).toBeLessThanOrEqual(direct);
  });

  it('serves regional lanes one or two roads away', () => {
    const lanes = network.lanesFrom('ORD').map((h) => h.code);
    expect(lanes).not.toContain('ORD');
    for (const [n] of network.roadsOf('ORD')) expect(lanes).toContain(n);
  });

  it('places a vehicle along its route', () => {
    const route = network.route('DFW', 'ATL');
    expect(positionAlong(route, 0)).toMatchObject({ lat: route.hubs[0]!.lat, lon: route.hubs[0]!.lon });
    const end = positionAlong(route, route.totalKm);
    expect(end.lat).toBeCloseTo(network.hub('ATL').lat, 6);
    const mid = positionAlong(route, route.totalKm / 2);
    expect(mid.lon).toBeGreaterThan(network.hub('DFW').lon);
    expect(mid.lon).toBeLessThan(network.hub('ATL').lon);
    // Heading east-ish.
    expect(mid.headingDeg).toBeGreaterThan(45);
    expect(mid.headingDeg).toBeLessThan(135);
  });
});
