/** What the end-to-end benchmark reads of the simulator's ground truth (pipelines/simulator/README.md). */
export interface Truth {
  start: string;
  end: string;
  intervalMs: number;
  conditions: { kind: string; deviceId: string; from: string; to: string }[];
}

/** An alert as read from the SSE stream, with the moment this process received it. */
export interface SeenAlert {
  kind: string;
  deviceId: string | null;
  subjectId: string;
  triggeredAt: string;
  receivedAt: number;
}

/** Planted condition kinds each alert kind answers. */
const answers: Record<string, string[]> = {
  battery_low: ['low-battery'],
  metric_out_of_range: ['temperature-out-of-range'],
  drone_risk: ['drone-high-risk'],
  device_silent: ['device-silent'],
  sorter_throughput_drop: ['sorter-jam', 'sorter-slowdown'],
  sorter_reject_spike: ['sorter-reject-spike'],
  predicted_delay: ['late-leg'],
};

/**
 * Conditions a rule must see within any run, however short: the ones a single report shows
 * (battery, cold chain, drone risk). Silence needs the rule's minutes of quiet, sorter anomalies a
 * warm-up of 30 per-minute reports, and late legs a registered shipment and a model, so those are
 * not counted as missed in a run of seconds (an alert of theirs matching nothing still counts as false).
 */
const mustAlert = new Set(['low-battery', 'temperature-out-of-range', 'drone-high-risk']);

export interface AlertOutcomes {
  /** Counted conditions with no alert of theirs. */
  missed: number;
  /** Alerts matching no planted condition (kind, device, event time inside its window). */
  falseAlerts: number;
  /** Counted conditions: a report-visible kind whose window holds at least one report interval inside the run. */
  counted: number;
  /** Latency of each alert that answered a counted condition: receipt − event time of its report, less the event clock's lag. */
  latenciesMs: number[];
  byKind: Record<string, number>;
}

export function countAlertOutcomes(truth: Truth, seen: SeenAlert[], eventClockLagMs: number): AlertOutcomes {
  const start = Date.parse(truth.start);
  const end = Date.parse(truth.end);
  const byKind: Record<string, number> = {};
  const conditionsByDevice = new Map<string, Truth['conditions']>();
  for (const c of truth.conditions) conditionsByDevice.set(c.deviceId, [...(conditionsByDevice.get(c.deviceId) ?? []), c]);
  const answered = new Set<Truth['conditions'][number]>();
  const latenciesMs: number[] = [];
  let falseAlerts = 0;
  // A report at the very edge of a window is rounded to 0.1 s by neither side: allow a second.
  const slackMs = 1000;
  for (const a of seen) {
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    const at = Date.parse(a.triggeredAt);
    const match = (conditionsByDevice.get(a.deviceId ?? a.subjectId) ?? []).find(
      (c) => (answers[a.kind] ?? []).includes(c.kind) && at >= Date.parse(c.from) - slackMs && at < Date.parse(c.to) + slackMs,
    );
    if (!match) {
      falseAlerts++;
      continue;
    }
    if (!answered.has(match) && mustAlert.has(match.kind)) latenciesMs.push(a.receivedAt - (at + eventClockLagMs));
    answered.add(match);
  }
  const counted = truth.conditions.filter(
    (c) => mustAlert.has(c.kind) && Math.min(Date.parse(c.to), end) - Math.max(Date.parse(c.from), start) >= truth.intervalMs,
  );
  return { missed: counted.filter((c) => !answered.has(c)).length, falseAlerts, counted: counted.length, latenciesMs, byKind };
}
