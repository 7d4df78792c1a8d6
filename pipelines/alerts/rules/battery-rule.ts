import type { Condition } from '../condition';
import { reportLocation } from './report-location';
import type { RuleInput } from './rule-input';

/** Battery below `batteryPct.raise` raises; at or above `batteryPct.clear` resolves. */
export function batteryRule({ tenant, report, at, rules }: RuleInput): Condition[] {
  const pct = report.metrics?.battery_pct;
  if (pct === undefined) return [];
  const { raise, clear } = rules.batteryPct;
  const active = pct < raise ? true : pct >= clear ? false : undefined;
  if (active === undefined) return [];
  return [{
    tenant, kind: 'battery_low', subjectType: 'device', subjectId: report.deviceId, ruleKey: '', active, at,
    severity: pct < raise / 2 ? 'critical' : 'warning',
    message: `battery of ${report.deviceId} at ${pct}% (below ${raise}%)`,
    details: { batteryPct: pct, threshold: raise, clearAt: clear, reportId: report.id },
    deviceId: report.deviceId, location: reportLocation(report),
  }];
}
