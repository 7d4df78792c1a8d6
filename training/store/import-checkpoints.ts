import type { Knex } from 'knex';

/** Chunks of an import already committed (see migration 0009). */
export async function finishedChunks(db: Knex, tenant: string, source: string): Promise<Set<string>> {
  const rows = (await db('import_checkpoints').where({ tenant, source }).select('chunk')) as { chunk: string }[];
  return new Set(rows.map((r) => r.chunk));
}

/** Marks a chunk done; call inside the chunk's transaction. */
export async function markChunkFinished(trx: Knex.Transaction, tenant: string, source: string, chunk: string, rows: number): Promise<void> {
  await trx('import_checkpoints').insert({ tenant, source, chunk, rows });
}
