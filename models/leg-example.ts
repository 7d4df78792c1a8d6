import type { ShipmentLeg } from '../features';

/**
 * What the delay model sees of one leg at prediction time (its planned departure): the plan
 * and the rolling features of its hubs, lane and the network, named `<role>:<feature>`
 * (leg-entities.ts). Training and serving build the same shape.
 */
export interface LegExample {
  from: string;
  to: string;
  mode: ShipmentLeg['mode'];
  plannedDeparture: number;
  plannedArrival: number;
  rolling: Record<string, number | null>;
}

/** What happened: the labels. */
export interface LegLabel {
  /** Arrival minus planned arrival, minutes. */
  delayMin: number;
}
