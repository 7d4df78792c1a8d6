import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** pino level; default `info`. */
  level?: string;
  /** One human-readable line per entry instead of JSON; default false. */
  pretty?: boolean;
  /** Name of the process role (ingest, api, …), added to every line. */
  name?: string;
  /** Where lines go; default standard error, so commands keep standard output for results. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: false });
  const base = { level: options.level ?? 'info', name: options.name };
  if (options.pretty) {
    return pino({ ...base, formatters: { level: (label) => ({ level: label }) } }, destination);
  }
  return pino(base, destination);
}
