import { artifactKeyBase, checkArtifactBytes, contentHash } from './artifact-key';

describe('artifact keys', () => {
  const a = Buffer.from('{"weights":"a"}');
  const b = Buffer.from('{"weights":"b"}');

  it('name a version by its model, number and the hash of its bytes', () => {
    expect(artifactKeyBase('delay', 1, a)).toMatch(/^delay\/v1-[0-9a-f]{16}$/);
    expect(artifactKeyBase('delay', 1, a)).toBe(artifactKeyBase('delay', 1, Buffer.from(a)));
    // Two registries' v1 with different models land on different keys.
    expect(artifactKeyBase('delay', 1, a)).not.toBe(artifactKeyBase('delay', 1, b));
  });

  it('accept the bytes a hashed URI names, refuse others, and let unhashed URIs of older rows through', () => {
    const uri = `file:///models/${artifactKeyBase('delay', 3, a)}.json`;
    expect(checkArtifactBytes(uri, a)).toBe(a);
    expect(() => checkArtifactBytes(uri, b)).toThrow(new RegExp(`expected ${contentHash(a)}`));
    expect(checkArtifactBytes(`gs://bucket/${artifactKeyBase('delay', 3, a)}.json`, a)).toBe(a);
    expect(checkArtifactBytes('file:///models/delay/v3.json', b)).toBe(b);
    // Files kept beside the artifact carry its hash but hold other bytes.
    expect(checkArtifactBytes(`file:///models/${artifactKeyBase('delay', 3, a)}.report.json`, b)).toBe(b);
  });
});
