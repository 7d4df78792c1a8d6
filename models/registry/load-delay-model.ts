import type { Knex } from 'knex';
import { ModelRegistryError } from '../../core/errors';
import { DelayModel } from '../delay-model';
import { parseDelayArtifact } from '../delay-model-artifact';
import type { Tf } from '../tf-backend';
import type { ArtifactStore } from './artifact-store';
import { championOf, getVersion, type ModelVersion } from './model-registry';

/** Loads a registered version (default: the champion) of a delay model, ready to score. */
export async function loadDelayModel(db: Knex, store: ArtifactStore, tf: Tf, model = 'delay', version?: number): Promise<{ version: ModelVersion; model: DelayModel }> {
  const v = version === undefined ? await championOf(db, model) : await getVersion(db, model, version);
  if (!v) throw new ModelRegistryError(`model ${model} has no champion yet: promote a version first`);
  const artifact = parseDelayArtifact((await store.get(v.artifactUri)).toString('utf8'));
  return { version: v, model: DelayModel.fromArtifact(tf, artifact) };
}
