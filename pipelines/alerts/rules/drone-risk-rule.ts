import type { Condition } from '../condition';
import { reportLocation } from './report-location';
import type { RuleInput } from './rule-input';

/** A drone's reported risk score at or above `droneRisk.raise` raises; below `droneRisk.clear` resolves. */
export function droneRiskRule({ tenant, report, at, rules }: RuleInput): Condition[] {
  const { metric, raise, clear } = rules.droneRisk;
  const score = report.metrics?.[metric];
  if (score === undefined) return [];
  const active = score >= raise ? true : score < clear ? false : undefined;
  if (active === undefined) return [];
  return [{
    tenant, kind: 'drone_risk', subjectType: 'device', subjectId: report.deviceId, ruleKey: '', active, at,
    severity: 'critical',
    message: `risk score of ${report.deviceId} at ${score} (threshold ${raise})`,
    details: { metric, score, threshold: raise, clearBelow: clear, reportId: report.id },
    deviceId: report.deviceId, location: reportLocation(report),
  }];
}
