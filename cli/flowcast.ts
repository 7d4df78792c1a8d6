import { Command, CommanderError } from 'commander';
import { FlowcastError } from '../core/errors';
import { registerCommands } from './commands';

/** The `flowcast` command: one thin entry per job; the work lives in the other folders. */
export function buildProgram(): Command {
  const program = new Command('flowcast')
    .description('Real-time telemetry and prediction for logistics')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof FlowcastError) {
      process.stderr.write(`flowcast: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`flowcast: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
