import { loadConfig, type Config } from '../core/config';
import { createDb, type Db } from '../core/db';
import { createLogger, type Logger } from '../core/logger';

/** What a command needs, built once from the environment and handed down explicitly. */
export interface CliContext {
  config: Config;
  logger: Logger;
  db: Db;
}

export function createContext(role: string): CliContext {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, name: role });
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
  return { config, logger, db };
}
