import type { Report } from '../../../core/report';
import type { AlertRules } from '../alert-rules';

/** What a per-report rule sees: one valid report of one tenant, and that tenant's rules. */
export interface RuleInput {
  tenant: string;
  report: Report;
  at: number;
  rules: AlertRules;
}
