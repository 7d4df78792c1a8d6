import { UndirectedGraph } from 'graphology';
import { bidirectional } from 'graphology-shortest-path/dijkstra';
import { bearingDeg, distanceKm, interpolate, type LatLon } from './geo';
import type { Hub } from './hubs';

/** Roads are longer than the great circle between their ends; 1.2 is a usual circuity factor. */
export const roadCircuity = 1.2;

/** A road route between two hubs through intermediate hubs, with cumulative distances. */
export interface Route {
  hubs: Hub[];
  /** cumKm[i]: road distance from the first hub to hubs[i]. */
  cumKm: number[];
  totalKm: number;
}

export interface RoutePosition extends LatLon {
  headingDeg: number;
}

export interface RoadNetworkOptions {
  /** Roads from each hub to its nearest neighbours; default 4. */
  neighbours?: number;
  /** No direct road longer than this (great circle), unless needed to connect the network. */
  maxRoadKm?: number;
}

/**
 * Roads between nearby hubs (each hub to its nearest few), made connected by adding the shortest
 * road between separate parts, and shortest-path routing over them (graphology, Dijkstra).
 */
export class RoadNetwork {
  private readonly graph = new UndirectedGraph<Record<string, never>, { km: number }>();
  private readonly byCode = new Map<string, Hub>();
  private readonly routes = new Map<string, Route>();
  private readonly lanes = new Map<string, Hub[]>();

  constructor(readonly hubs: readonly Hub[], options: RoadNetworkOptions = {}) {
    for (const hub of hubs) {
      this.byCode.set(hub.code, hub);
      this.graph.addNode(hub.code);
    }
    this.addNearestRoads(options.neighbours ?? 4, options.maxRoadKm ?? 1000);
    this.connectParts();
  }

  hub(code: string): Hub {
    const hub = this.byCode.get(code);
    if (!hub) throw new Error(`unknown hub ${code}`);
    return hub;
  }

  roadCount(): number {
    return this.graph.size;
  }

  /** Direct roads of a hub, as [neighbour code, km]. */
  roadsOf(code: string): [string, number][] {
    return this.graph.mapEdges(code, (_e, attrs, source, target) => [source === code ? target : source, attrs.km] as [string, number]);
  }

  /** The shortest road route from one hub to another (cached: a fleet reuses few lanes). */
  route(from: string, to: string): Route {
    const key = `${from}>${to}`;
    let route = this.routes.get(key);
    if (!route) {
      const path = bidirectional(this.graph, from, to, 'km');
      if (!path || path.length < 2) throw new Error(`no road from ${from} to ${to}`);
      route = this.toRoute(path);
      this.routes.set(key, route);
    }
    return route;
  }

  /** Destinations served by road from a hub: hubs one or two roads away (regional lanes). */
  lanesFrom(code: string): Hub[] {
    let lanes = this.lanes.get(code);
    if (!lanes) {
      const near = new Set<string>();
      for (const [n] of this.roadsOf(code)) {
        near.add(n);
        for (const [m] of this.roadsOf(n)) near.add(m);
      }
      near.delete(code);
      lanes = [...near].sort().map((c) => this.hub(c));
      this.lanes.set(code, lanes);
    }
    return lanes;
  }

  private addNearestRoads(k: number, maxKm: number): void {
    for (const hub of this.hubs) {
      const nearest = this.hubs
        .filter((h) => h !== hub)
        .map((h) => ({ h, km: distanceKm(hub, h) }))
        .sort((a, b) => a.km - b.km)
        .slice(0, k)
        .filter((n) => n.km <= maxKm);
      for (const n of nearest) this.addRoad(hub, n.h, n.km);
    }
  }

  private addRoad(a: Hub, b: Hub, greatCircleKm: number): void {
    if (!this.graph.hasEdge(a.code, b.code)) this.graph.addEdge(a.code, b.code, { km: greatCircleKm * roadCircuity });
  }

  /** While the network falls apart, join the closest pair of hubs across two parts. */
  private connectParts(): void {
    for (;;) {
      const part = this.partOf();
      const parts = new Set(part.values());
      if (parts.size <= 1) return;
      let best: { a: Hub; b: Hub; km: number } | undefined;
      for (const a of this.hubs) {
        for (const b of this.hubs) {
          if (part.get(a.code) === part.get(b.code)) continue;
          const km = distanceKm(a, b);
          if (!best || km < best.km) best = { a, b, km };
        }
      }
      if (!best) return;
      this.addRoad(best.a, best.b, best.km);
    }
  }

  private partOf(): Map<string, number> {
    const part = new Map<string, number>();
    let next = 0;
    for (const hub of this.hubs) {
      if (part.has(hub.code)) continue;
      const stack = [hub.code];
      part.set(hub.code, next);
      while (stack.length) {
        const code = stack.pop()!;
        this.graph.forEachNeighbor(code, (n) => {
          if (!part.has(n)) {
            part.set(n, next);
            stack.push(n);
          }
        });
      }
      next += 1;
    }
    return part;
  }

  private toRoute(path: string[]): Route {
    const hubs = path.map((c) => this.hub(c));
    const cumKm = [0];
    for (let i = 1; i < hubs.length; i++) {
      cumKm.push(cumKm[i - 1]! + this.graph.getEdgeAttribute(hubs[i - 1]!.code, hubs[i]!.code, 'km'));
    }
    return { hubs, cumKm, totalKm: cumKm[cumKm.length - 1]! };
  }
}

/** Where a vehicle is after `km` along a route, and which way it heads. */
export function positionAlong(route: Route, km: number): RoutePosition {
  const { hubs, cumKm } = route;
  let i = 1;
  while (i < hubs.length - 1 && cumKm[i]! < km) i++;
  const a = hubs[i - 1]!;
  const b = hubs[i]!;
  const segment = cumKm[i]! - cumKm[i - 1]!;
  const f = segment > 0 ? Math.min(1, Math.max(0, (km - cumKm[i - 1]!) / segment)) : 1;
  return { ...interpolate(a, b, f), headingDeg: Math.round(bearingDeg(a, b)) % 360 };
}
