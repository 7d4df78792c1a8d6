import { countAlertOutcomes, type SeenAlert, type Truth } from './e2e-truth';

const truth: Truth = {
  start: '2026-03-02T08:00:00.000Z',
  end: '2026-03-02T08:01:00.000Z',
  intervalMs: 10_000,
  conditions: [
    { kind: 'low-battery', deviceId: 'ctr-1', from: '2026-03-02T08:00:10.000Z', to: '2026-03-02T08:01:00.000Z' },
    { kind: 'drone-high-risk', deviceId: 'drone-2', from: '2026-03-02T08:00:20.000Z', to: '2026-03-02T08:00:40.000Z' },
    // Too short to hold a report: not counted as missed.
    { kind: 'temperature-out-of-range', deviceId: 'ctr-3', from: '2026-03-02T08:00:55.000Z', to: '2026-03-02T08:01:00.000Z' },
    // Silence needs the rule's minutes: never counted as missed in a short run.
    { kind: 'device-silent', deviceId: 'truck-4', from: '2026-03-02T08:00:05.000Z', to: '2026-03-02T08:01:00.000Z' },
  ],
};

const alert = (kind: string, deviceId: string, triggeredAt: string, receivedAt: number): SeenAlert => ({ kind, deviceId, subjectId: deviceId, triggeredAt, receivedAt });

describe('countAlertOutcomes', () => {
  it('matches alerts to planted conditions by kind, device and window; counts the misses and the false ones', () => {
    const t = Date.parse('2026-03-02T08:00:12.000Z');
    const out = countAlertOutcomes(truth, [
      alert('battery_low', 'ctr-1', '2026-03-02T08:00:12.000Z', t + 2080),
      // Same device, wrong kind: false.
      alert('drone_risk', 'ctr-1', '2026-03-02T08:00:12.000Z', t + 2100),
      // Right kind and device, outside the window: false.
      alert('battery_low', 'ctr-9', '2026-03-02T08:00:30.000Z', t),
    ], 2000);
    expect(out.counted).toBe(2);
    expect(out.missed).toBe(1);
    expect(out.falseAlerts).toBe(2);
    expect(out.latenciesMs).toEqual([80]);
    expect(out.byKind).toEqual({ battery_low: 2, drone_risk: 1 });
  });

  it('takes the latency of the first alert of a condition only', () => {
    const t = Date.parse('2026-03-02T08:00:25.000Z');
    const out = countAlertOutcomes(truth, [
      alert('drone_risk', 'drone-2', '2026-03-02T08:00:25.000Z', t + 50),
      alert('drone_risk', 'drone-2', '2026-03-02T08:00:35.000Z', t + 10_070),
    ], 0);
    expect(out.latenciesMs).toEqual([50]);
    expect(out.falseAlerts).toBe(0);
  });
});
