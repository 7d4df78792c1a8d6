import { createHash } from 'node:crypto';
import { ModelRegistryError } from '../../core/errors';

/** Hex digits of the artifact's SHA-256 kept in its key (64 bits: no two different artifacts of one version meet). */
const hashDigits = 16;

export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, hashDigits);
}

/**
 * Where a version's artifact and the files kept beside it go: `<model>/v<N>-<hash>` + `.json`
 * (or `.report.json`, `.report.html`), the hash being that of the artifact's bytes. Every database
 * numbers its versions from 1, and several registries may share one artifact folder or bucket
 * (test and benchmark databases, copies made with CREATE DATABASE … TEMPLATE, restored dumps):
 * with the content in the key, one registry's "v1" never overwrites another's. Identical bytes
 * share a file, which changes nothing for either.
 */
export function artifactKeyBase(model: string, version: number, artifact: Buffer): string {
  return `${model}/v${version}-${contentHash(artifact)}`;
}

const hashedArtifact = new RegExp(`/v\\d+-([0-9a-f]{${hashDigits}})\\.json$`);

/**
 * Refuses bytes that are not the artifact a URI names: a hashed key (`…/v3-<hash>.json`) must
 * hold bytes with that hash. Keys written before hashes (`…/v3.json`) carry none and pass.
 */
export function checkArtifactBytes(uri: string, bytes: Buffer): Buffer {
  const expected = hashedArtifact.exec(uri)?.[1];
  if (expected !== undefined && contentHash(bytes) !== expected) {
    throw new ModelRegistryError(`artifact ${uri} does not hold the bytes it was registered with (content hash ${contentHash(bytes)}, expected ${expected})`, 500);
  }
  return bytes;
}
