import { sampleReports, seededRandom } from '../../../pipelines/sample-reports';

export interface FixtureSet {
  /** Lines to publish, in order, duplicates and malformed ones mixed in. */
  lines: string[];
  /** Keys `deviceId/id` of the distinct valid reports. */
  uniqueValid: Set<string>;
  /** The malformed lines with the reason the consumer must give. */
  malformed: { line: string; reason: 'bad_json' | 'schema' }[];
  duplicates: number;
}

const breakers: ((line: string) => { line: string; reason: 'bad_json' | 'schema' })[] = [
  (l) => ({ line: l.slice(0, Math.floor(l.length / 2)), reason: 'bad_json' }),
  (l) => ({ line: l.replace(/"ts":"[^"]*",/, ''), reason: 'schema' }),
  (l) => ({ line: l.replace(/"lat":[-\d.]+/, '"lat":91'), reason: 'schema' }),
  (l) => ({ line: l.replace(/"battery_pct":[-\d.]+/, '"battery_pct":"NaN"'), reason: 'schema' }),
];

/**
 * `count` lines of which `malformedRate` are broken (cut JSON, missing ts, latitude 91, a NaN
 * metric) and `duplicateRate` repeat an earlier valid line, as a producer's resend would.
 */
export function makeFixtures(count: number, malformedRate: number, duplicateRate: number, seed = 7): FixtureSet {
  const random = seededRandom(seed);
  const source = sampleReports({ devices: 500, startMs: Date.UTC(2026, 10, 20, 6), intervalSeconds: 30, seed });
  const lines: string[] = [];
  const valid: string[] = [];
  const uniqueValid = new Set<string>();
  const malformed: FixtureSet['malformed'] = [];
  const malformedCount = Math.round(count * malformedRate);
  const duplicateCount = Math.round(count * duplicateRate);
  const slots: string[] = Array.from({ length: count }, (_, i) => (i < malformedCount ? 'bad' : i < malformedCount + duplicateCount ? 'dup' : 'ok'));
  // Shuffle so bad and duplicate lines are spread through the stream (duplicates need an earlier line).
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  for (const slot of slots) {
    if (slot === 'dup' && valid.length > 0) {
      lines.push(valid[Math.floor(random() * valid.length)]!);
      continue;
    }
    const report = source.next().value!;
    const line = JSON.stringify(report);
    if (slot === 'bad') {
      const broken = breakers[malformed.length % breakers.length]!(line);
      malformed.push(broken);
      lines.push(broken.line);
      continue;
    }
    valid.push(line);
    uniqueValid.add(`${report.deviceId}/${report.id}`);
    lines.push(line);
  }
  return { lines, uniqueValid, malformed, duplicates: lines.length - valid.length - malformed.length };
}
