import type { AlertKind, AlertLocation, Severity, SubjectType } from './alert';

/**
 * What a rule concluded about one subject from one report (or sweep): the condition holds
 * (`active`, raise an alert unless one is open) or it has cleared (resolve the open one).
 */
export interface Condition {
  tenant: string;
  kind: AlertKind;
  subjectType: SubjectType;
  subjectId: string;
  ruleKey: string;
  active: boolean;
  /** Event time (epoch ms) of what was observed. */
  at: number;
  severity?: Severity;
  /** Shown to people; only used when the alert is raised. */
  message?: string;
  details?: Record<string, unknown>;
  /** More details, worked out only when the alert is opened (the model's explanation: too dear for every report). */
  detailsOnOpen?: () => Promise<Record<string, unknown>>;
  deviceId?: string;
  location?: AlertLocation | null;
  /** Why it cleared (e.g. `arrived`); default `condition_cleared`. */
  clearReason?: string;
  /**
   * A clear no later report repeats (a shipment's arrival): always sent to the database, even
   * where the open-alert index says there is nothing to resolve, in case another writer opened
   * one since. A clear repeated by every report (battery fine) corrects itself with the next one.
   */
  final?: boolean;
}
