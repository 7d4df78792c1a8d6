import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { ChampionHolder } from './champion-holder';
import type { DelayModel } from './delay-model';
import type { ArtifactStore } from './registry/artifact-store';
import { loadDelayModel } from './registry/load-delay-model';
import { championOf } from './registry/model-registry';
import type { Tf } from './tf-backend';

export interface DelayChampionDeps {
  db: Knex;
  store: ArtifactStore;
  tf: Tf;
  logger: Logger;
  model?: string;
  disposeAfterMs?: number;
}

/**
 * The champion delay model of a serving process (prediction API, scoring consumer): wrap it in
 * a ChampionWatcher to follow promotions and rollbacks without a restart. Predictions name the
 * version as `String(held.version)`, which drift checks match.
 */
export function delayChampionHolder(d: DelayChampionDeps): ChampionHolder<DelayModel> {
  const model = d.model ?? 'delay';
  return new ChampionHolder<DelayModel>({
    model, logger: d.logger, disposeAfterMs: d.disposeAfterMs,
    findChampion: async () => (await championOf(d.db, model))?.version,
    load: async (version) => (await loadDelayModel(d.db, d.store, d.tf, model, version)).model,
    dispose: (m) => m.dispose(),
  });
}
