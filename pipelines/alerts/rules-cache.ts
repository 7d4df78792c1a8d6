import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AlertRules } from './alert-rules';
import { loadAlertRules } from './store/load-alert-rules';

/**
 * Tenants' rules kept for `ttlMs` (default 5 s), so scoring reads them about once per tenant
 * every few seconds instead of once per batch, and a change through the API applies soon after.
 */
export class RulesCache {
  private readonly entries = new Map<string, { rules: AlertRules; until: number }>();

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly ttlMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tenants: string[]): Promise<Map<string, AlertRules>> {
    const now = this.now();
    const stale = tenants.filter((t) => (this.entries.get(t)?.until ?? 0) <= now);
    if (stale.length > 0) {
      const loaded = await loadAlertRules(this.db, stale, (tenant, error) => this.logger.error({ tenant, error }, 'stored alert rules are invalid; using the defaults'));
      for (const [t, rules] of loaded) this.entries.set(t, { rules, until: now + this.ttlMs });
    }
    return new Map(tenants.map((t) => [t, this.entries.get(t)!.rules]));
  }
}
