import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { announceChampion } from './champion-notice';
import { promote, rollback, type ModelVersion } from './registry/model-registry';

export interface ChampionChangeDeps {
  db: Knex;
  redis: Pick<Redis, 'publish'>;
  logger: Logger;
}

/** The registry's promote, then the notice that makes serving processes load the new champion. */
export async function promoteChampion(d: ChampionChangeDeps, model: string, version: number, reason: string): Promise<ModelVersion> {
  const v = await promote(d.db, model, version, reason);
  await announce(d, model, v.version);
  return v;
}

/** The registry's rollback (the previous champion comes back), then the notice. */
export async function rollbackChampion(d: ChampionChangeDeps, model: string, reason: string): Promise<{ retired: ModelVersion; restored: ModelVersion }> {
  const r = await rollback(d.db, model, reason);
  await announce(d, model, r.restored.version);
  return r;
}

async function announce(d: ChampionChangeDeps, model: string, version: number): Promise<void> {
  // The change is committed: a lost notice only delays serving until its next poll.
  await announceChampion(d.redis, { model, version }).catch((err: unknown) =>
    d.logger.warn({ err, model, version }, 'champion change not announced; serving processes will find it by polling'));
}
