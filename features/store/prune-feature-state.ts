import type { Knex } from 'knex';

export interface PruneFeatureStateOptions {
  /** Tiles that end by this instant are deleted (epoch ms). */
  before: number;
  /** Rows per DELETE statement. Default 10,000: each statement is short, so ingest's upserts never wait long behind it. */
  batchRows?: number;
  /** Called after every statement with the rows deleted so far. */
  onProgress?: (deleted: PrunedRows) => void;
}

export interface PrunedRows {
  tiles: number;
}

/**
 * Deletes feature state older than `before`, a batch at a time. Device events are the reports
 * themselves (features/entity-storage.ts), kept as long as reports are. The horizon is recorded first
 * (it only moves forward), so a point-in-time read that could see a half-deleted window finds it
 * and refuses (readPrunedBefore) rather than returning a value computed on part of one.
 */
export async function pruneFeatureState(db: Knex, options: PruneFeatureStateOptions): Promise<PrunedRows> {
  const { before } = options;
  const batchRows = options.batchRows ?? 10_000;
  await db.raw(
    `INSERT INTO feature_retention (pruned_before) VALUES (?)
     ON CONFLICT (only_row) DO UPDATE SET pruned_before = GREATEST(feature_retention.pruned_before, EXCLUDED.pruned_before)`,
    [before],
  );
  const deleted: PrunedRows = { tiles: 0 };
  for (;;) {
    // By ctid: a DELETE takes no LIMIT, and the BRIN index finds the old pages.
    const n = (await db.raw(
      `DELETE FROM feature_entity_tiles WHERE ctid = ANY (ARRAY(SELECT ctid FROM feature_entity_tiles WHERE tile_start < ? AND tile_start + tile_ms <= ? LIMIT ?))`,
      [before, before, batchRows],
    )).rowCount as number;
    deleted.tiles += n;
    options.onProgress?.({ ...deleted });
    if (n < batchRows) break;
  }
  return deleted;
}
