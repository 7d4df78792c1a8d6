import type { Command } from 'commander';
import { registerConfig } from './config';
import { registerKeys } from './keys';
import { registerMigrate } from './migrate';
import { registerSchema } from './schema';

export function registerCommands(program: Command): void {
  registerConfig(program);
  registerKeys(program);
  registerMigrate(program);
  registerSchema(program);
}
