/** Where model artifacts live: a local folder by default, a Cloud Storage bucket when configured. */
export interface ArtifactStore {
  /** Stores the bytes under a relative key; returns the artifact's URI (file:// or gs://). */
  put(key: string, bytes: Buffer): Promise<string>;
  get(uri: string): Promise<Buffer>;
}
