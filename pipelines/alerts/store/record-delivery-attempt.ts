import type { Knex } from 'knex';

export interface AttemptOutcome {
  /** The state after this attempt: pending while retries remain. */
  state: 'pending' | 'delivered' | 'failed';
  status: number | null;
  error: string | null;
}

/** Counts one attempt at a webhook delivery and records its outcome. */
export async function recordDeliveryAttempt(db: Knex, id: number, outcome: AttemptOutcome): Promise<void> {
  await db.raw(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?, last_status = ?, last_error = ?, updated_at = now() WHERE id = ?`,
    [outcome.state, outcome.status, outcome.error, id],
  );
}
