import { runFlowcast, spawnFlowcast, waitFor, type RunningCommand } from './support/spawn-flowcast';
import { createTestDatabase, type TestDatabase } from './support/test-env';

/**
 * `flowcast api` with API_WORKERS=2: one port served by two worker processes, one announcement
 * once both listen, /metrics for the whole group whichever worker answers, a worker that dies is
 * replaced, and SIGTERM stops them all cleanly.
 */
describe('flowcast api with API_WORKERS', () => {
  jest.setTimeout(90_000);
  let t: TestDatabase;
  let api: RunningCommand | undefined;

  beforeAll(async () => {
    t = await createTestDatabase('fc_apiworkers');
  });

  afterAll(async () => {
    api?.child.kill('SIGKILL');
    await t.drop();
  });

  it('serves one port from two processes and stops them all on SIGTERM', async () => {
    const env = { DATABASE_URL: t.url, HTTP_PORT: '0', API_WORKERS: '2', SHUTDOWN_TIMEOUT_MS: '5000' };
    const key = (await runFlowcast(['keys', 'create', '--tenant', 'acme', '--scopes', 'read'], env)).stdout.trim();
    api = spawnFlowcast(['api'], env);
    const running = api;
    await waitFor('the API to listen', async () => /API listening on http:\/\/[\d.]+:\d+ \(2 worker processes\)/.test(running.stderr()), 60_000);
    const base = /API listening on (http:\/\/[\d.]+:\d+)/.exec(running.stderr())![1]!;
    expect(running.stderr().match(/API worker \d listening on/g)).toHaveLength(2);
    const workerPids = () => [...running.stderr().matchAll(/"pid":(\d+)[^\n]*API worker \d listening/g)].map((m) => Number(m[1]));
    expect(new Set(workerPids()).size).toBe(2);

    // Connections are spread over the workers; every request is counted in the group's metrics.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${base}/v1/alerts`, { headers: { 'x-api-key': key, connection: 'close' } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const metrics = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
    const served = /flowcast_http_request_duration_seconds_count\{[^}]*method="GET",route="\/v1\/alerts",status="200"[^}]*\} (\d+)/.exec(metrics);
    expect(Number(served?.[1])).toBe(10);

    // A worker that dies is replaced; the port keeps answering.
    process.kill(workerPids()[0]!, 'SIGKILL');
    await waitFor('a replacement worker', async () => workerPids().length === 3, 60_000);
    expect(running.stderr()).toContain('an API worker died; starting another');
    expect((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toMatch(/"pid":\d+[^\n]*"msg":"stopped cleanly"[^\n]*\n?$/);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
