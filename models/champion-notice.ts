import type { Redis } from 'ioredis';

/** Redis pub/sub channel on which a change of champion is announced to serving processes. */
export const championChannel = 'flowcast:champion';

export interface ChampionNotice {
  model: string;
  /** The new champion, or null when the model has none any more. */
  version: number | null;
}

/**
 * Tells every serving process that a model's champion changed. Best effort: a process that
 * misses the notice (not subscribed yet, Redis down) still finds the change by polling.
 */
export async function announceChampion(redis: Pick<Redis, 'publish'>, notice: ChampionNotice): Promise<void> {
  await redis.publish(championChannel, JSON.stringify(notice));
}

export function parseChampionNotice(message: string): ChampionNotice | undefined {
  try {
    const n = JSON.parse(message) as Partial<ChampionNotice>;
    if (typeof n.model !== 'string' || (n.version !== null && typeof n.version !== 'number')) return undefined;
    return { model: n.model, version: n.version ?? null };
  } catch {
    return undefined;
  }
}
