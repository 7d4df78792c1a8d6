import http from 'node:http';
import { Redis } from 'ioredis';
import { runFlowcast, spawnFlowcast, waitFor, type RunningCommand } from './support/spawn-flowcast';
import { createTestDatabase, requireEnv, uniqueName, type TestDatabase } from './support/test-env';

/** `flowcast keys` and `flowcast api` as separate processes (from dist/), as an operator runs them. */
describe('flowcast keys and flowcast api', () => {
  // Each step starts a Node process; the default 5 s per test is too tight on a busy machine.
  jest.setTimeout(60_000);
  let t: TestDatabase;
  let redis: Redis;
  let env: Record<string, string>;
  let api: RunningCommand | undefined;

  beforeAll(async () => {
    t = await createTestDatabase('fc_apicmd');
    redis = new Redis(requireEnv('REDIS_URL'));
    env = { DATABASE_URL: t.url, STREAM_KEY: uniqueName('fc_apicmd'), HTTP_PORT: '0', TRANSPORT: 'redis' };
  });

  afterAll(async () => {
    api?.child.kill('SIGKILL');
    await redis.del(env.STREAM_KEY!);
    redis.disconnect();
    await t.drop();
  });

  it('creates a key printed once, lists keys without secrets, refuses an unknown scope', async () => {
    const created = await runFlowcast(['keys', 'create', '--tenant', 'acme', '--scopes', 'ingest,read', '--name', 'hub-7'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^fc_[0-9a-f]{16}_[\w-]{43}$/);
    expect(created.stderr).toContain('store it now, it cannot be shown again');

    const listed = await runFlowcast(['keys', 'list', '--tenant', 'acme'], env);
    const id = key.split('_')[1]!;
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+acme\\s+ingest,read\\s+hub-7\\s`, 'm'));
    expect(listed.stdout).not.toContain(key.slice(20));

    const bad = await runFlowcast(['keys', 'create', '--tenant', 'acme', '--scopes', 'ingest,write'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('flowcast: unknown scope "write"; known scopes: ingest, predict, read, admin\n');

    expect((await runFlowcast(['keys', 'revoke', id], env)).stdout).toBe(`revoked ${id}\n`);
    expect((await runFlowcast(['keys', 'revoke', id], env)).stderr).toBe(`flowcast: no active API key with id ${id}\n`);
  });

  it('serves reports, and on SIGTERM stops accepting but finishes the request in flight', async () => {
    const key = (await runFlowcast(['keys', 'create', '--tenant', 'acme', '--scopes', 'ingest'], env)).stdout.trim();
    api = spawnFlowcast(['api'], env);
    const running = api;
    await waitFor('the API to listen', async () => /API listening on http:\/\/[\d.]+:\d+/.test(running.stderr()), 30_000);
    const url = new URL(/API listening on (http:\/\/[\d.]+:\d+)/.exec(running.stderr())![1]!);

    // A request whose body is still on its way when SIGTERM arrives.
    const body = JSON.stringify({ id: 'inflight-1', deviceId: 'truck-9', ts: '2026-11-20T08:30:00Z' });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(url.href + 'v1/reports', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        running.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });

    await waitFor('shutdown to begin', async () => running.stderr().includes('shutting down'), 10_000);
    await expect(fetch(`${url.href}healthz`)).rejects.toThrow();
    expect(await answer).toEqual({ status: 202, text: JSON.stringify({ accepted: 1, rejected: [] }) });
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toContain('stopped cleanly');
    expect(await redis.xlen(env.STREAM_KEY!)).toBe(1);
  });
});
