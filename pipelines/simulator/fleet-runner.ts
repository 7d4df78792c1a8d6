import type { MixKind } from './fleet-mix';
import type { FleetStream } from './fleet-stream';
import type { ReportSink } from './report-sink';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RunProgress {
  wallMs: number;
  sent: number;
  /** Event time reached. */
  eventTs: number;
  /** Reports per second since the previous progress call. */
  recentRate: number;
}

export interface RunnerOptions {
  /** Send each report when the wall clock reaches its event time; otherwise as fast as possible. */
  realTime: boolean;
  /** Reports per send; default 1000. */
  batchSize?: number;
  /** Sends allowed in flight at once, so generating overlaps sending; default 2. */
  maxInFlight?: number;
  progressEveryMs?: number;
  onProgress?: (progress: RunProgress) => void;
  /** Stops the run early (e.g. on SIGINT) once it returns true. */
  shouldStop?: () => boolean;
}

export interface RunResult {
  sent: number;
  byKind: Record<MixKind, number>;
  silentTicks: number;
  rejected: number;
  wallMs: number;
  /** Reports per wall-clock second. */
  reportsPerSec: number;
  stoppedEarly: boolean;
}

/**
 * Drives a fleet stream into a sink in batches: in real time, a report leaves when the wall clock
 * reaches its event time (event time = startMs + elapsed wall time); otherwise as fast as the
 * sink takes them. Sends overlap up to maxInFlight; the first failed send ends the run.
 */
export async function runFleet(
  sim: { stream: FleetStream; startMs: number },
  sink: ReportSink,
  options: RunnerOptions,
  clock: Clock = systemClock,
): Promise<RunResult> {
  const batchSize = options.batchSize ?? 1000;
  const maxInFlight = options.maxInFlight ?? 2;
  const progressEvery = options.progressEveryMs ?? 1000;
  const wallStart = clock.now();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let sent = 0;
  let lastProgress = { at: wallStart, sent: 0 };
  let stoppedEarly = false;
  while (!sim.stream.done) {
    if (options.shouldStop?.()) {
      stoppedEarly = true;
      break;
    }
    const until = options.realTime ? sim.startMs + (clock.now() - wallStart) + 1 : Infinity;
    const batch = await sim.stream.take(batchSize, until);
    if (batch.length === 0) {
      await clock.sleep(waitMs(sim.stream.nextKnownTs(), until));
      continue;
    }
    const eventTs = batch[batch.length - 1]!.ts;
    const sending = sink.send(batch).then(
      () => void (sent += batch.length),
      (err: unknown) => void (failure ??= err),
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failure) break;
    const now = clock.now();
    if (options.onProgress && now - lastProgress.at >= progressEvery) {
      options.onProgress({ wallMs: now - wallStart, sent, eventTs, recentRate: ((sent - lastProgress.sent) * 1000) / (now - lastProgress.at) });
      lastProgress = { at: now, sent };
    }
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  const wallMs = clock.now() - wallStart;
  return {
    sent, byKind: { ...sim.stream.counts }, silentTicks: sim.stream.silentTicks, rejected: sink.rejected, wallMs,
    reportsPerSec: wallMs > 0 ? Math.round((sent * 1000) / wallMs) : sent, stoppedEarly,
  };
}

/** How long to wait for the next report: until its event time, within 1–50 ms. */
function waitMs(nextTs: number, until: number): number {
  return Math.max(1, Math.min(50, Number.isFinite(nextTs) ? nextTs - until + 1 : 10));
}
