import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ChampionWatcher } from '../models/champion-watcher';
import type { ChampionHolder } from '../models/champion-holder';
import { delayChampionHolder } from '../models/delay-champion';
import { createArtifactStore, type ArtifactSettings } from '../models/registry/create-artifact-store';
import { loadTensorflow } from '../models/tf-backend';
import type { DelayScorerSource } from '../pipelines/scoring/delay-scorer';
import { plainChampionScorer } from './plain-champion-scorer';

export interface PredictionChampionDeps {
  db: Knex;
  logger: Logger;
  settings: ArtifactSettings;
  /** Becomes the champion watcher's subscriber connection (closed by stop()). */
  subscriber: Redis;
  explainTop: number;
  pollMs: number;
}

/**
 * The delay champion of an API process, followed through promotions like the scoring
 * consumer's (pipelines/scoring/start-delay-champion.ts: loaded with TensorFlow.js, kept by a
 * ChampionWatcher), but scored in plain JavaScript (plain-champion-scorer.ts): a request holds
 * one leg, where TensorFlow.js's per-call overhead is most of the cost.
 */
export async function startPredictionChampion(d: PredictionChampionDeps): Promise<{ source: DelayScorerSource; stop(): Promise<void> }> {
  const { tf } = await loadTensorflow(d.logger);
  const holder = delayChampionHolder({ db: d.db, store: createArtifactStore(d.settings), tf, logger: d.logger });
  const watcher = new ChampionWatcher({ subscriber: d.subscriber, holders: [holder as ChampionHolder<unknown>], pollMs: d.pollMs, logger: d.logger });
  await watcher.start();
  const held = holder.current();
  if (held) d.logger.info({ model: holder.model, version: held.version }, 'predicting with the champion delay model');
  else d.logger.warn('no champion delay model in the registry yet: predictions answer 503 until one is promoted');
  return {
    source: plainChampionScorer({ holder, explainTop: d.explainTop }),
    stop: async () => {
      await watcher.stop();
      holder.close();
      d.subscriber.disconnect();
    },
  };
}
