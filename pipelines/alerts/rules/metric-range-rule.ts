import type { Condition } from '../condition';
import { reportLocation } from './report-location';
import type { RuleInput } from './rule-input';

/** Each configured metric outside its range raises (one alert per device and metric); back inside resolves. */
export function metricRangeRule({ tenant, report, at, rules }: RuleInput): Condition[] {
  const out: Condition[] = [];
  for (const [metric, range] of Object.entries(rules.metricRanges)) {
    const value = report.metrics?.[metric];
    if (value === undefined) continue;
    const low = range.min !== undefined && value < range.min;
    const high = range.max !== undefined && value > range.max;
    out.push({
      tenant, kind: 'metric_out_of_range', subjectType: 'device', subjectId: report.deviceId, ruleKey: metric, active: low || high, at,
      severity: 'critical',
      message: `${metric} of ${report.deviceId} is ${value}, ${low ? `below ${range.min}` : `above ${range.max}`}`,
      details: { metric, value, min: range.min ?? null, max: range.max ?? null, reportId: report.id },
      deviceId: report.deviceId, location: reportLocation(report),
    });
  }
  return out;
}
