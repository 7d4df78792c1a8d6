import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ChampionWatcher } from '../../models/champion-watcher';
import type { ChampionHolder } from '../../models/champion-holder';
import { delayChampionHolder } from '../../models/delay-champion';
import { createArtifactStore, type ArtifactSettings } from '../../models/registry/create-artifact-store';
import { loadTensorflow } from '../../models/tf-backend';
import { championDelayScorer } from './champion-delay-scorer';
import type { DelayScorerSource } from './delay-scorer';

export interface DelayChampionProcessDeps {
  db: Knex;
  logger: Logger;
  settings: ArtifactSettings;
  /** Becomes the champion watcher's subscriber connection (closed by stop()). */
  subscriber: Redis;
  explainTop?: number;
  pollMs?: number;
}

/**
 * Loads the delay champion for a serving process (`flowcast score`, `flowcast api`) and follows
 * promotions through a ChampionWatcher; the scorer source (champion-delay-scorer.ts, plain
 * JavaScript on the artifact's weights) is empty until one exists. The artifact is loaded
 * through TensorFlow.js like training's models; scoring does not call it.
 */
export async function startDelayChampion(d: DelayChampionProcessDeps): Promise<{ source: DelayScorerSource; stop(): Promise<void> }> {
  const { tf } = await loadTensorflow(d.logger);
  const holder = delayChampionHolder({ db: d.db, store: createArtifactStore(d.settings), tf, logger: d.logger });
  const watcher = new ChampionWatcher({ subscriber: d.subscriber, holders: [holder as ChampionHolder<unknown>], pollMs: d.pollMs ?? 30_000, logger: d.logger });
  await watcher.start();
  const held = holder.current();
  if (held) d.logger.info({ model: holder.model, version: held.version }, 'scoring with the champion delay model');
  else d.logger.warn('no champion delay model in the registry yet: predicted-delay alerts wait for one and predictions answer 503 until one is promoted');
  return {
    source: championDelayScorer({ holder, explainTop: d.explainTop }),
    stop: async () => {
      await watcher.stop();
      holder.close();
      d.subscriber.disconnect();
    },
  };
}
