import { checkTenant, generateApiKey, grantsScope, hashSecret, parseApiKey, parseScopes, secretMatches } from './api-key';

describe('API keys', () => {
  it('generates fc_<id>_<secret> keys whose secret is stored only as a SHA-256', () => {
    const k = generateApiKey();
    expect(k.key).toBe(`fc_${k.id}_${k.secret}`);
    expect(k.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(k.secretHash).not.toContain(k.secret);
    expect(generateApiKey().key).not.toBe(k.key);
  });

  it('parses its own keys back, including secrets that contain underscores', () => {
    const k = generateApiKey();
    expect(parseApiKey(k.key)).toEqual({ id: k.id, secret: k.secret });
    expect(parseApiKey('fc_0123456789abcdef_a_b_c')).toEqual({ id: '0123456789abcdef', secret: 'a_b_c' });
  });

  it.each(['', 'nonsense', 'fc_', 'fc_0123456789abcdef_', 'xx_0123456789abcdef_s', 'fc_NOTHEX0123456789_s'])(
    'refuses the malformed key %j',
    (key) => expect(parseApiKey(key)).toBeUndefined(),
  );

  it('matches the right secret only', () => {
    const hash = hashSecret('s3cret');
    expect(secretMatches('s3cret', hash)).toBe(true);
    expect(secretMatches('s3cret!', hash)).toBe(false);
    expect(secretMatches('s3cret', 'not-hex')).toBe(false);
  });

  it('parses scope lists and names an unknown scope', () => {
    expect(parseScopes('ingest, read,ingest')).toEqual(['ingest', 'read']);
    expect(() => parseScopes('ingest,write')).toThrow('unknown scope "write"; known scopes: ingest, predict, read, admin');
    expect(() => parseScopes(' , ')).toThrow('no scope given');
  });

  it('accepts plain tenant names and refuses others', () => {
    expect(checkTenant('acme-logistics.eu_1')).toBe('acme-logistics.eu_1');
    expect(() => checkTenant('')).toThrow('tenant "" is invalid');
    expect(() => checkTenant('a b')).toThrow('tenant "a b" is invalid');
  });

  it('lets admin stand for every scope', () => {
    expect(grantsScope(['read'], 'ingest')).toBe(false);
    expect(grantsScope(['ingest'], 'ingest')).toBe(true);
    expect(grantsScope(['admin'], 'predict')).toBe(true);
  });
});
