import type { Command } from 'commander';
import { onShutdown } from '../../core/graceful-shutdown';
import { createMetricsRegistry } from '../../core/metrics';
import { createTransport } from '../../pipelines/create-transport';
import { createApp } from '../../serving/app';
import { listenHttp } from '../../serving/http-server';
import { createContext } from '../context';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description('serve the HTTP API (POST /v1/reports, /healthz, /readyz, /metrics) on HTTP_HOST:HTTP_PORT')
    .action(async () => {
      const { config, logger, db } = createContext('api');
      const transport = createTransport({ config, logger });
      const metricsRegistry = createMetricsRegistry('api');
      const app = createApp({ config, db, transport, logger, metricsRegistry });
      const http = await listenHttp(app, config.HTTP_HOST, config.HTTP_PORT);
      logger.info({ url: http.url, transport: transport.name }, `API listening on ${http.url}`);
      // Requests in flight still publish and write dead letters, so transport and db close last.
      onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
        await http.close();
        await transport.close();
        await db.destroy();
      });
    });
}
