import type { Command } from 'commander';
import { registerApi } from './api';
import { registerConfig } from './config';
import { registerKeys } from './keys';
import { registerDemo } from './demo';
import { registerFeatures } from './features';
import { registerImport } from './import';
import { registerIngest } from './ingest';
import { registerMigrate } from './migrate';
import { registerModels } from './models';
import { registerPublish } from './publish';
import { registerRetrain } from './retrain';
import { registerSchema } from './schema';
import { registerSimulate } from './simulate';
import { registerTrain } from './train';
import { registerScore } from './score';
import { registerWorker } from './worker';

export function registerCommands(program: Command): void {
  registerApi(program);
  registerConfig(program);
  registerKeys(program);
  registerDemo(program);
  registerFeatures(program);
  registerImport(program);
  registerIngest(program);
  registerMigrate(program);
  registerModels(program);
  registerPublish(program);
  registerRetrain(program);
  registerSchema(program);
  registerSimulate(program);
  registerTrain(program);
  registerScore(program);
  registerWorker(program);
}
