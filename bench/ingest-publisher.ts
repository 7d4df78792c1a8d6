import { Redis } from 'ioredis';
import { createLogger } from '../core/logger';
import { RedisStreamsTransport } from '../pipelines/redis-streams-transport';
import { sampleReports } from '../pipelines/sample-reports';

/**
 * The load for `bench ingest`, run as its own process: realistic reports from `devices`
 * trackers published to the stream at `rate` per second for `seconds`. Prints one JSON line
 * {published, seconds} at the end.
 */
async function main(): Promise<void> {
  const [redisUrl, streamKey, tenant = 'bench', rateArg, secondsArg, devicesArg] = process.argv.slice(2);
  const rate = Number(rateArg);
  const seconds = Number(secondsArg);
  const redis = new Redis(redisUrl!);
  const transport = new RedisStreamsTransport({ redis, logger: createLogger({ level: 'silent' }), streamKey });
  const reports = sampleReports({ devices: Number(devicesArg), startMs: Date.now() - 3_600_000, intervalSeconds: 5, seed: 42 });
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const start = Date.now();
  let published = 0;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    if (published >= due) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const n = Math.min(perTick, due - published);
    const batch = Array.from({ length: n }, () => {
      const report = reports.next().value!;
      return { tenant, data: JSON.stringify(report), orderingKey: report.deviceId };
    });
    await transport.publish(batch);
    published += n;
  }
  process.stdout.write(`${JSON.stringify({ published, seconds: (Date.now() - start) / 1000 })}\n`);
  redis.disconnect();
}

void main();
