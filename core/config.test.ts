import { ConfigError } from './errors';
import { configMarkdown, loadConfig, settings } from './config';

describe('loadConfig', () => {
  it('gives every setting its documented default', () => {
    const config = loadConfig({});
    expect(config.TRANSPORT).toBe('redis');
    expect(config.INGEST_BATCH_SIZE).toBe(2000);
    expect(config.STREAM_GROUPS).toEqual(['ingest', 'scoring']);
    expect(config.LOG_PRETTY).toBe(false);
  });

  it('reads and coerces values from the environment', () => {
    const config = loadConfig({ HTTP_PORT: '9000', TRANSPORT: 'pubsub', STREAM_GROUPS: 'ingest, scoring' });
    expect(config.HTTP_PORT).toBe(9000);
    expect(config.TRANSPORT).toBe('pubsub');
    expect(config.STREAM_GROUPS).toEqual(['ingest', 'scoring']);
  });

  it('stops at a bad value with one line naming the variable and what it expects', () => {
    expect(() => loadConfig({ INGEST_BATCH_SIZE: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ INGEST_BATCH_SIZE: 'lots' })).toThrow(/^INGEST_BATCH_SIZE="lots" is invalid: .*number/);
    expect(() => loadConfig({ TRANSPORT: 'kafka' })).toThrow(/TRANSPORT="kafka" is invalid: .*"redis"\|"pubsub"/);
    const err = (() => {
      try {
        loadConfig({ DATABASE_URL: 'not a url' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.variable).toBe('DATABASE_URL');
    expect(err?.message.split('\n')).toHaveLength(1);
  });

  it('documents every setting in the README table', () => {
    const table = configMarkdown();
    for (const name of Object.keys(settings)) expect(table).toContain(`\`${name}\``);
  });
});

describe('README.md', () => {
  it('carries the configuration table of the code (regenerate: node scripts/update-readme-config.js)', () => {
    const readme = require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'README.md'), 'utf8') as string;
    expect(readme).toContain(`<!-- config:start -->\n${configMarkdown()}\n<!-- config:end -->`);
  });
});
