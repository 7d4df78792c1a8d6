import { Counter, Histogram, type Registry } from 'prom-client';

/** What the API measures, registered on the registry passed in (never the global one). */
export interface HttpMetrics {
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  reports: Counter<'outcome'>;
  deadLetters: Counter<'reason'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requestSeconds: getOrCreate(
      registry,
      'flowcast_http_request_duration_seconds',
      () =>
        new Histogram({
          name: 'flowcast_http_request_duration_seconds',
          help: 'HTTP request duration, by method, route pattern and status',
          labelNames: ['method', 'route', 'status'],
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        }),
    ),
    reports: getOrCreate(
      registry,
      'flowcast_http_reports_total',
      () =>
        new Counter({
          name: 'flowcast_http_reports_total',
          help: 'Reports received over HTTP, by outcome (accepted, rejected)',
          labelNames: ['outcome'],
          registers: [registry],
        }),
    ),
    // Same name as the consumers' counter: one process may host both (a demo), so reuse it.
    deadLetters: getOrCreate(
      registry,
      'flowcast_dead_letters_total',
      () =>
        new Counter({
          name: 'flowcast_dead_letters_total',
          help: 'Payloads sent to the dead-letter table, by reason',
          labelNames: ['reason'],
          registers: [registry],
        }),
    ),
  };
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
