import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { artifactKeyBase } from './artifact-key';
import { createArtifactStore } from './create-artifact-store';
import { gcsArtifactStore } from './gcs-artifact-store';

/** Just the calls the store makes: bucket(name).file(key).save / download. */
function fakeStorage(): { storage: Storage; objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>();
  const storage = {
    bucket: (b: string) => ({
      file: (k: string) => ({
        save: async (bytes: Buffer) => void objects.set(`${b}/${k}`, bytes),
        download: async () => {
          const found = objects.get(`${b}/${k}`);
          if (!found) throw new Error('No such object');
          return [found];
        },
      }),
    }),
  } as unknown as Storage;
  return { storage, objects };
}

describe('artifact stores', () => {
  it('keeps artifacts in the local folder by default and reads them back by URI', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fc-store-'));
    const store = createArtifactStore({ MODEL_ARTIFACTS_DIR: dir });
    const uri = await store.put('delay/v1.json', Buffer.from('{"a":1}'));
    expect(uri).toBe(`file://${path.join(dir, 'delay', 'v1.json')}`);
    expect((await store.get(uri)).toString()).toBe('{"a":1}');
    await expect(store.get('file:///nowhere/at/all.json')).rejects.toThrow(/cannot be read/);
  });

  it('writes to a bucket as gs://BUCKET/KEY and reads it back', async () => {
    const { storage, objects } = fakeStorage();
    const store = gcsArtifactStore('models-bucket', storage);
    const uri = await store.put('delay/v2.json', Buffer.from('weights'));
    expect(uri).toBe('gs://models-bucket/delay/v2.json');
    expect(objects.get('models-bucket/delay/v2.json')?.toString()).toBe('weights');
    expect((await store.get(uri)).toString()).toBe('weights');
    await expect(store.get('s3://elsewhere/x')).rejects.toThrow(/not a gs:\/\//);
  });

  it('refuses bytes under a hashed key that are not the ones registered there, in a bucket as in a folder', async () => {
    const { storage } = fakeStorage();
    const bucket = gcsArtifactStore('models-bucket', storage);
    const folder = createArtifactStore({ MODEL_ARTIFACTS_DIR: mkdtempSync(path.join(tmpdir(), 'fc-store-')) });
    const key = artifactKeyBase('delay', 1, Buffer.from('model A'));
    for (const store of [bucket, folder]) {
      const uri = await store.put(`${key}.json`, Buffer.from('model A'));
      expect((await store.get(uri)).toString()).toBe('model A');
      await store.put(`${key}.json`, Buffer.from('model B'));
      await expect(store.get(uri)).rejects.toThrow(/does not hold the bytes it was registered with/);
    }
  });
});
