import type { ArtifactStore } from './artifact-store';
import { gcsArtifactStore } from './gcs-artifact-store';
import { localArtifactStore } from './local-artifact-store';

export interface ArtifactSettings {
  MODEL_ARTIFACTS_DIR: string;
  MODEL_ARTIFACTS_BUCKET?: string | undefined;
}

/** The bucket when one is configured, else the local folder. Reads follow each URI's scheme. */
export function createArtifactStore(settings: ArtifactSettings): ArtifactStore {
  const local = localArtifactStore(settings.MODEL_ARTIFACTS_DIR);
  const bucket = settings.MODEL_ARTIFACTS_BUCKET?.replace(/^gs:\/\//, '');
  if (!bucket) return local;
  const gcs = gcsArtifactStore(bucket);
  return {
    put: (key, bytes) => gcs.put(key, bytes),
    get: (uri) => (uri.startsWith('gs:') ? gcs.get(uri) : local.get(uri)),
  };
}
