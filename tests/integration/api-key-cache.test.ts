import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApiKey } from '../../core/store/create-api-key';
import { revokeApiKey } from '../../core/store/revoke-api-key';
import { createAuth } from '../../serving/auth';
import { createLogger } from '../../core/logger';
import { errorHandler } from '../../serving/error-handler';
import { createTestDatabase, type TestDatabase } from './support/test-env';

describe('API key lookups are cached for a short time', () => {
  let t: TestDatabase;
  let server: Server;
  let clock = 0;
  let base = '';

  beforeAll(async () => {
    t = await createTestDatabase('fc_keycache');
    const app = express();
    app.get('/x', createAuth(t.db, { cacheTtlMs: 5_000, now: () => clock }).requireScope('read'), (_req, res) => void res.json({ ok: true }));
    app.use(errorHandler(createLogger({ level: 'silent' })));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await t.drop();
  });

  const call = (key: string) => fetch(`${base}/x`, { headers: { 'x-api-key': key } }).then((r) => r.status);

  it('accepts a new key at once, and refuses it once revoked and the cache has expired', async () => {
    const key = await createApiKey(t.db, { tenant: 'acme', scopes: ['read'] });
    expect(await call(key.key)).toBe(200);
    await revokeApiKey(t.db, key.id);
    clock += 4_000;
    expect(await call(key.key)).toBe(200); // still within the cache's 5 s
    clock += 2_000;
    expect(await call(key.key)).toBe(401);
  });

  it('checks the secret on every request, cached or not', async () => {
    const key = await createApiKey(t.db, { tenant: 'acme', scopes: ['read'] });
    expect(await call(key.key)).toBe(200);
    expect(await call(key.key.replace(/_[^_]+$/, '_wrong'))).toBe(401);
  });
});
