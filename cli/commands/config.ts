import type { Command } from 'commander';
import { configMarkdown, loadConfig } from '../../core/config';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('validate the configuration from the environment and print it')
    .option('--markdown', 'print the table of every setting (as in README.md) instead')
    .action((opts: { markdown?: boolean }) => {
      if (opts.markdown) {
        process.stdout.write(`${configMarkdown()}\n`);
        return;
      }
      const config = loadConfig();
      const redacted = { ...config, DATABASE_URL: redact(config.DATABASE_URL), REDIS_URL: redact(config.REDIS_URL) };
      process.stdout.write(`${JSON.stringify(redacted, null, 2)}\n`);
    });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
