/** Where model artifacts live: a local folder by default, a Cloud Storage bucket when configured. */
export interface ArtifactStore {
  /** Stores the bytes under a relative key; returns the artifact's URI (file:// or gs://). */
  put(key: string, bytes: Buffer): Promise<string>;
  /** The bytes at a URI `put` returned; refused when the URI names a content hash they do not have (see artifact-key.ts). */
  get(uri: string): Promise<Buffer>;
}
