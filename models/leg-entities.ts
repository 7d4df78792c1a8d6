import { laneId, networkId, type EntityRef, type ShipmentLeg } from '../features';

/** The roles an entity plays for a leg; a rolling feature input is named `<role>:<feature>`. */
export const legRoles = ['origin', 'destination', 'lane', 'network'] as const;
export type LegRole = (typeof legRoles)[number];

export type LegEndpoints = Pick<ShipmentLeg, 'from' | 'to'>;

/** The entities whose rolling features describe a leg, by role. */
export function legEntities(leg: LegEndpoints): Record<LegRole, EntityRef> {
  return {
    origin: { type: 'hub', id: leg.from },
    destination: { type: 'hub', id: leg.to },
    lane: { type: 'lane', id: laneId(leg.from, leg.to) },
    network: { type: 'network', id: networkId },
  };
}
