import { DroneGenerator } from './drone-generator';
import type { FleetMix } from './fleet-mix';
import { planFleet, type FleetPlan } from './fleet-plan';
import { FleetStream } from './fleet-stream';
import { FlightReplay } from './flight-replay';
import { loadHubs, type Hub } from './hubs';
import { simulatorThresholds, TruthLog, type PlantedCondition, type PlantedKind } from './planted-condition';
import { RoadNetwork } from './road-network';
import { SorterGenerator } from './sorter-generator';
import { TruckGenerator } from './truck-generator';

export interface SimulationOptions {
  /** Periodically reporting devices (flights come from airport gateways on top). */
  devices: number;
  /** Reports per second over the whole run. */
  rate: number;
  /** Length of the run in event time. */
  seconds: number;
  seed: number;
  mix: FleetMix;
  /** Event time of the run's start, epoch ms. */
  startMs: number;
  /** Probability that a device gets a planted fault during the run; default 0.02. */
  faultRate?: number;
  /** Data time per event time of the flight replay; default: what fills the flights' share of the rate. */
  flightCompression?: number;
}

/** What --truth writes: the run's parameters and every condition the simulator planted. */
export interface GroundTruth {
  seed: number;
  start: string;
  end: string;
  devices: number;
  rate: number;
  intervalMs: number;
  mix: FleetMix;
  flightCompression?: number;
  thresholds: typeof simulatorThresholds;
  counts: Partial<Record<PlantedKind, number>>;
  conditions: PlantedCondition[];
}

export interface Simulation {
  stream: FleetStream;
  plan: FleetPlan;
  truth: TruthLog;
  startMs: number;
  endMs: number;
  flightCompression?: number;
  /** The ground truth so far (complete once the stream is done). */
  groundTruth(): GroundTruth;
  close(): void;
}

export interface SimulationDeps {
  /** Hubs and roads, loaded from vega-datasets when not given. */
  hubs?: readonly Hub[];
  network?: RoadNetwork;
}

/** Builds a run: the fleet plan, one generator per kind, the flight replay and the truth log. */
export async function createSimulation(options: SimulationOptions, deps: SimulationDeps = {}): Promise<Simulation> {
  const { seed, startMs } = options;
  const endMs = startMs + Math.round(options.seconds * 1000);
  const hubs = deps.hubs ?? deps.network?.hubs ?? loadHubs();
  const network = deps.network ?? new RoadNetwork(hubs);
  const plan = planFleet(options);
  const truth = new TruthLog(endMs);
  const faultRate = options.faultRate ?? 0.02;
  const generators = {
    trucks: new TruckGenerator({ devices: plan.counts.trucks, seed, network, truth, faultRate }),
    sorters: new SorterGenerator({ devices: plan.counts.sorters, seed, hubs, truth, faultRate }),
    drones: new DroneGenerator({ devices: plan.counts.drones, seed, hubs, truth, faultRate }),
  };
  const flights = plan.flightRate > 0
    ? await FlightReplay.open({ startMs, endMs, truth, eventsPerSecond: plan.flightRate, compression: options.flightCompression })
    : undefined;
  const stream = new FleetStream({ plan, generators, startMs, endMs, flights });
  return {
    stream, plan, truth, startMs, endMs, flightCompression: flights?.compression,
    groundTruth: () => ({
      seed, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), devices: options.devices, rate: options.rate,
      intervalMs: plan.intervalMs, mix: options.mix, ...(flights ? { flightCompression: flights.compression } : {}),
      thresholds: simulatorThresholds, counts: truth.countsByKind(), conditions: truth.sorted(),
    }),
    close: () => flights?.close(),
  };
}
