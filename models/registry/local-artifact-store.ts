import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ModelRegistryError } from '../../core/errors';
import { checkArtifactBytes } from './artifact-key';
import type { ArtifactStore } from './artifact-store';

/** Artifacts as files under a folder; written to a temporary name and renamed, so a reader never sees half a file. */
export function localArtifactStore(dir: string): ArtifactStore {
  const root = path.resolve(dir);
  return {
    async put(key, bytes) {
      const file = path.join(root, key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
      return pathToFileURL(file).toString();
    },
    async get(uri) {
      if (!uri.startsWith('file:')) throw new ModelRegistryError(`the local artifact store cannot read ${uri}`, 500);
      let bytes: Buffer;
      try {
        bytes = await readFile(fileURLToPath(uri));
      } catch (err) {
        throw new ModelRegistryError(`artifact ${uri} cannot be read: ${(err as Error).message}`, 500);
      }
      return checkArtifactBytes(uri, bytes);
    },
  };
}
