import type { Route } from './road-network';

/** Average planned road speed including short stops, km/h: how schedules are made. */
export const plannedKph = 72;
const hourMs = 3_600_000;

/** One truck or container leg on the road network, with its plan and what actually happens. */
export interface RoadLeg {
  shipmentId: string;
  route: Route;
  departMs: number;
  plannedArrivalMs: number;
  /** Actual arrival: later than plan under congestion or after an incident. */
  arriveMs: number;
  /** Speed while moving (congestion lowers it). */
  cruiseKph: number;
  /** A stop on the way (accident, closure, breakdown), if any. */
  incident?: { atKm: number; fromMs: number; toMs: number };
}

/**
 * Plans a leg departing at departMs and decides its fate: congestion slows it by up to about 12%
 * (15% more leaving in US rush hours), and about one leg in twelve meets an incident that stops
 * it 25–150 minutes. Together they make some legs late, as on real roads.
 */
export function planRoadLeg(random: () => number, shipmentId: string, route: Route, departMs: number): RoadLeg {
  const plannedMs = (route.totalKm / plannedKph) * hourMs;
  const usHour = (new Date(departMs).getUTCHours() + 24 - 6) % 24;
  const rush = (usHour >= 6 && usHour < 9) || (usHour >= 15 && usHour < 18) ? 1.15 : 1;
  const congestion = (0.9 + 0.22 * random()) * rush;
  const cruiseKph = plannedKph / congestion;
  const movingMs = (route.totalKm / cruiseKph) * hourMs;
  const hasIncident = random() < 0.08;
  const at = 0.1 + 0.8 * random();
  const stopMs = (25 + 125 * random()) * 60_000;
  const leg: RoadLeg = {
    shipmentId,
    route,
    departMs,
    plannedArrivalMs: Math.round(departMs + plannedMs),
    arriveMs: Math.round(departMs + movingMs + (hasIncident ? stopMs : 0)),
    cruiseKph,
  };
  if (hasIncident) {
    const fromMs = Math.round(departMs + at * movingMs);
    leg.incident = { atKm: at * route.totalKm, fromMs, toMs: Math.round(fromMs + stopMs) };
  }
  return leg;
}

/** Moves a leg's times by deltaMs (to start a simulated vehicle part-way through a leg). */
export function shiftRoadLeg(leg: RoadLeg, deltaMs: number): RoadLeg {
  const incident = leg.incident && { ...leg.incident, fromMs: leg.incident.fromMs + deltaMs, toMs: leg.incident.toMs + deltaMs };
  return {
    ...leg,
    departMs: leg.departMs + deltaMs,
    plannedArrivalMs: leg.plannedArrivalMs + deltaMs,
    arriveMs: leg.arriveMs + deltaMs,
    ...(incident ? { incident } : {}),
  };
}

/** Distance covered at ts and whether the vehicle is standing (incident) or moving. */
export function legProgress(leg: RoadLeg, ts: number): { km: number; moving: boolean } {
  if (ts <= leg.departMs) return { km: 0, moving: false };
  if (ts >= leg.arriveMs) return { km: leg.route.totalKm, moving: false };
  const { incident } = leg;
  const stoppedMs = incident ? Math.max(0, Math.min(ts, incident.toMs) - incident.fromMs) : 0;
  const km = Math.min(leg.route.totalKm, ((ts - leg.departMs - stoppedMs) * leg.cruiseKph) / hourMs);
  const moving = !incident || ts < incident.fromMs || ts >= incident.toMs;
  return { km, moving };
}

/** Late as DESIGN.md defines it: arriving more than lateMinutes after plan. */
export const isLate = (leg: RoadLeg, lateMinutes: number): boolean => leg.arriveMs - leg.plannedArrivalMs > lateMinutes * 60_000;
