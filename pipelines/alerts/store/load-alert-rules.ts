import type { Knex } from 'knex';
import { alertRulesSchema, defaultAlertRules, type AlertRules } from '../alert-rules';

/**
 * The rules of the given tenants: a tenant without a row gets the defaults. A stored config
 * that no longer validates (after a schema change) falls back to the defaults too, and is
 * reported through `onInvalid` rather than stopping alerting for that tenant.
 */
export async function loadAlertRules(db: Knex, tenants: string[], onInvalid?: (tenant: string, error: string) => void): Promise<Map<string, AlertRules>> {
  const out = new Map<string, AlertRules>(tenants.map((t) => [t, defaultAlertRules]));
  if (tenants.length === 0) return out;
  const rows = (await db('alert_rules').whereIn('tenant', tenants).select('tenant', 'config')) as { tenant: string; config: unknown }[];
  for (const r of rows) {
    const parsed = alertRulesSchema.safeParse(r.config);
    if (parsed.success) out.set(r.tenant, parsed.data);
    else onInvalid?.(r.tenant, parsed.error.message);
  }
  return out;
}
