import type { AlertSweepOptions } from './alert-sweep-options';
import { applyConditions } from './apply-conditions';
import { defaultAlertRules } from './alert-rules';
import type { Condition } from './condition';
import { every } from './every';
import { findSilentDevices } from './store/find-silent-devices';

export const silenceActor = 'system:silence-sweep';

/**
 * One sweep: devices silent for longer than their tenant's `deviceSilentMinutes` get a
 * `device_silent` alert with their last known position. Silence is found here, by a timer,
 * because a silent device sends nothing to react to; its next report resolves the alert.
 */
export async function sweepSilentDevices(o: AlertSweepOptions): Promise<number> {
  const now = (o.now ?? Date.now)();
  const silent = await findSilentDevices(o.db, defaultAlertRules.deviceSilentMinutes, new Date(now), o.limit ?? 1000);
  if (silent.length === 0) return 0;
  const conditions: Condition[] = silent.map((d) => ({
    tenant: d.tenant, kind: 'device_silent', subjectType: 'device', subjectId: d.deviceId, ruleKey: '', active: true, at: now,
    message: `${d.deviceId} silent for ${Math.round((now - d.lastSeen.getTime()) / 60_000)} min (limit ${d.silentMinutes} min)`,
    details: { lastSeen: d.lastSeen.toISOString(), silentMinutes: d.silentMinutes },
    deviceId: d.deviceId,
    location: d.lastLat !== null && d.lastLon !== null ? { lat: d.lastLat, lon: d.lastLon, ts: d.lastLocationTs?.toISOString() ?? null } : null,
  }));
  const applied = await o.db.transaction((trx) => applyConditions(trx, conditions, silenceActor));
  await o.afterCommit(applied);
  return applied.events.length;
}

/** Sweeps every `everyMs` until stopped; a failed sweep is logged and the next one tries again. */
export function startSilenceSweep(o: AlertSweepOptions & { everyMs: number }): { stop(): Promise<void> } {
  return every(o.everyMs, () => sweepSilentDevices(o), (err) => o.logger.error({ err }, 'device silence sweep failed'));
}
