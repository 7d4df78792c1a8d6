import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { point } from '@turf/helpers';
import type { Condition } from '../condition';
import { reportLocation } from './report-location';
import type { RuleInput } from './rule-input';

/**
 * For every geofence watching the device and every report with a position: an `enter` fence
 * holds an alert open while the device is inside it, an `exit` fence while it is outside.
 * So the alert fires on the crossing and resolves on the crossing back.
 */
export function geofenceRule({ tenant, report, at, rules }: RuleInput): Condition[] {
  const loc = report.location;
  if (!loc || rules.geofences.length === 0) return [];
  const here = point([loc.lon, loc.lat]);
  const out: Condition[] = [];
  for (const fence of rules.geofences) {
    if (fence.devicePrefix !== undefined && !report.deviceId.startsWith(fence.devicePrefix)) continue;
    const inside = booleanPointInPolygon(here, fence.geometry);
    const kind = fence.alertOn === 'enter' ? 'geofence_enter' : 'geofence_exit';
    out.push({
      tenant, kind, subjectType: 'device', subjectId: report.deviceId, ruleKey: fence.id,
      active: fence.alertOn === 'enter' ? inside : !inside, at,
      message: `${report.deviceId} ${fence.alertOn === 'enter' ? 'entered' : 'left'} geofence ${fence.name ?? fence.id}`,
      details: { geofenceId: fence.id, geofenceName: fence.name ?? null, inside, reportId: report.id },
      deviceId: report.deviceId, location: reportLocation(report),
    });
  }
  return out;
}
