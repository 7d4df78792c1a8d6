import type { Knex } from 'knex';
import type { AlertRules } from '../alert-rules';

/** Replaces a tenant's rules (already validated, defaults filled in). */
export async function saveAlertRules(db: Knex, tenant: string, rules: AlertRules, actor: string): Promise<void> {
  await db.raw(
    `INSERT INTO alert_rules (tenant, config, updated_by) VALUES (?, ?::jsonb, ?)
     ON CONFLICT (tenant) DO UPDATE SET config = EXCLUDED.config, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [tenant, JSON.stringify(rules), actor],
  );
}
