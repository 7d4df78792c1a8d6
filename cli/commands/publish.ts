import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { createTransport } from '../../pipelines/create-transport';
import type { OutgoingMessage } from '../../pipelines/transport';
import { createProgress } from '../progress';

interface PublishOptions {
  tenant: string;
  batch: string;
}

/** The device id, when the line is JSON that has one: it keeps a device's reports in order. */
function orderingKeyOf(line: string): string | undefined {
  try {
    const deviceId = (JSON.parse(line) as { deviceId?: unknown }).deviceId;
    return typeof deviceId === 'string' ? deviceId : undefined;
  } catch {
    return undefined;
  }
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description('publish NDJSON reports from FILE to the configured transport, as they are (consumers validate them)')
    .argument('<file>', 'NDJSON file, one report per line')
    .requiredOption('--tenant <tenant>', 'tenant the reports belong to')
    .option('--batch <n>', 'messages per publish call', '500')
    .action(async (file: string, opts: PublishOptions) => {
      const config = loadConfig();
      const logger = createLogger({ level: config.LOG_LEVEL, name: 'publish' });
      const transport = createTransport({ config, logger });
      const progress = createProgress('publishing', statSync(file).size, 'bytes');
      const batchSize = Math.max(1, Number(opts.batch));
      let pending: OutgoingMessage[] = [];
      let published = 0;
      const flush = async () => {
        await transport.publish(pending);
        published += pending.length;
        pending = [];
      };
      try {
        let bytes = 0;
        for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
          bytes += Buffer.byteLength(line) + 1;
          if (line.trim() === '') continue;
          pending.push({ tenant: opts.tenant, data: line, orderingKey: orderingKeyOf(line) });
          if (pending.length >= batchSize) {
            await flush();
            progress.update(bytes);
          }
        }
        await flush();
        progress.stop();
        process.stdout.write(`published ${published} messages to ${transport.name}\n`);
      } finally {
        await transport.close();
      }
    });
}
