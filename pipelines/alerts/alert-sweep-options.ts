import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { AppliedChanges } from './apply-conditions';

/** What a timer-driven alert sweep (device silence, arrived shipments) is given. */
export interface AlertSweepOptions {
  db: Knex;
  logger: Logger;
  /** Called with what each sweep changed, after it committed. */
  afterCommit: (applied: AppliedChanges) => Promise<void>;
  /** Most alerts one sweep changes; default 1000 (the next sweep takes the rest). */
  limit?: number;
  now?: () => number;
}
