import { Storage } from '@google-cloud/storage';
import { ModelRegistryError } from '../../core/errors';
import { checkArtifactBytes } from './artifact-key';
import type { ArtifactStore } from './artifact-store';

/** Artifacts in a Cloud Storage bucket (application default credentials). */
export function gcsArtifactStore(bucket: string, storage: Storage = new Storage()): ArtifactStore {
  return {
    async put(key, bytes) {
      await storage.bucket(bucket).file(key).save(bytes, { contentType: 'application/json', resumable: false });
      return `gs://${bucket}/${key}`;
    },
    async get(uri) {
      const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!match) throw new ModelRegistryError(`not a gs:// artifact URI: ${uri}`, 500);
      const [contents] = await storage.bucket(match[1] as string).file(match[2] as string).download();
      return checkArtifactBytes(uri, contents);
    },
  };
}
