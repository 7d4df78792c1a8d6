import type { ReportSink } from './report-sink';
import type { TimedReport } from './timed-report';

export interface HttpSinkOptions {
  /** Base URL of the Flowcast API, e.g. http://127.0.0.1:8080. */
  apiUrl: string;
  apiKey: string;
  /** Most reports per request (the API's HTTP_MAX_REPORTS); default 5000. */
  maxPerRequest?: number;
  /** Tries of a request answered 503 or failing to connect; default 5. */
  tries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Posts batches to `POST /v1/reports` as NDJSON with an API key (the tenant comes from the key).
 * A 503 or a refused connection is retried with backoff (the API dedupes by report id); any other
 * failure stops the run. Reports the API rejects are counted, not retried.
 */
export class HttpSink implements ReportSink {
  readonly name = 'http';
  rejected = 0;
  private readonly url: string;

  constructor(private readonly options: HttpSinkOptions) {
    this.url = `${options.apiUrl.replace(/\/+$/, '')}/v1/reports`;
  }

  async send(batch: TimedReport[]): Promise<void> {
    const max = this.options.maxPerRequest ?? 5000;
    for (let i = 0; i < batch.length; i += max) {
      await this.post(batch.slice(i, i + max).map(({ report }) => JSON.stringify(report)).join('\n'));
    }
  }

  async close(): Promise<void> {}

  private async post(body: string): Promise<void> {
    const doFetch = this.options.fetch ?? fetch;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const tries = this.options.tries ?? 5;
    for (let attempt = 1; ; attempt++) {
      let retryable: string;
      try {
        const res = await doFetch(this.url, {
          method: 'POST',
          headers: { 'x-api-key': this.options.apiKey, 'content-type': 'application/x-ndjson' },
          body,
        });
        if (res.status === 202) {
          this.rejected += ((await res.json()) as { rejected?: unknown[] }).rejected?.length ?? 0;
          return;
        }
        const text = await res.text();
        if (res.status !== 503) throw new Error(`POST ${this.url} answered ${res.status}: ${text.slice(0, 500)}`);
        retryable = `503 ${text.slice(0, 200)}`;
      } catch (err) {
        if (!isConnectionError(err)) throw err;
        retryable = (err as Error).message;
      }
      if (attempt >= tries) throw new Error(`POST ${this.url} failed ${tries} times, last: ${retryable}`);
      await sleep(100 * 2 ** (attempt - 1));
    }
  }
}

/** fetch() rejects with a TypeError whose cause names the socket error. */
function isConnectionError(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed/i.test(err.message);
}
