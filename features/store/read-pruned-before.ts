import type { Knex } from 'knex';

/** The instant before which feature state has been deleted (pruneFeatureState), or null if none has. */
export async function readPrunedBefore(db: Knex): Promise<number | null> {
  const row = (await db.raw('SELECT pruned_before FROM feature_retention')).rows[0] as { pruned_before: string } | undefined;
  return row ? Number(row.pruned_before) : null;
}
