import { HttpSink } from './http-sink';
import type { TimedReport } from './timed-report';

const reports: TimedReport[] = Array.from({ length: 5 }, (_, i) => ({ ts: i, report: { id: `r${i}`, deviceId: 'd1', ts: new Date(i).toISOString() } }));

function fakeFetch(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return next!;
  };
  return { fetch: fn as typeof fetch, calls };
}

const accepted = (rejected = 0) => new Response(JSON.stringify({ accepted: 1, rejected: Array(rejected).fill({}) }), { status: 202 });

describe('HTTP sink', () => {
  it('posts NDJSON with the API key, in requests of at most maxPerRequest, and counts rejections', async () => {
    const { fetch, calls } = fakeFetch([accepted(), accepted(1), accepted()]);
    const sink = new HttpSink({ apiUrl: 'http://api.test/', apiKey: 'k1', maxPerRequest: 2, fetch });
    await sink.send(reports);
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill('http://api.test/v1/reports'));
    expect(calls[0]!.init.headers).toEqual({ 'x-api-key': 'k1', 'content-type': 'application/x-ndjson' });
    expect(String(calls[0]!.init.body).split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['r0', 'r1']);
    expect(String(calls[2]!.init.body)).toBe(JSON.stringify(reports[4]!.report));
    expect(sink.rejected).toBe(1);
  });

  it('retries a 503 and a refused connection with backoff, then succeeds', async () => {
    const { fetch, calls } = fakeFetch([new Response('busy', { status: 503 }), new TypeError('fetch failed'), accepted()]);
    const waits: number[] = [];
    const sink = new HttpSink({ apiUrl: 'http://api.test', apiKey: 'k', fetch, sleep: async (ms) => void waits.push(ms) });
    await sink.send(reports.slice(0, 1));
    expect(calls).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it('stops on any other answer, and after the last try', async () => {
    const unauthorised = fakeFetch([new Response('{"error":"bad key"}', { status: 401 })]);
    await expect(new HttpSink({ apiUrl: 'http://api.test', apiKey: 'k', fetch: unauthorised.fetch }).send(reports)).rejects.toThrow('answered 401');
    const down = fakeFetch([new TypeError('fetch failed'), new TypeError('fetch failed')]);
    await expect(new HttpSink({ apiUrl: 'http://api.test', apiKey: 'k', tries: 2, fetch: down.fetch, sleep: async () => undefined }).send(reports)).rejects.toThrow('failed 2 times');
  });
});
