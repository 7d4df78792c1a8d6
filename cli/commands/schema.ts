import type { Command } from 'commander';
import { reportJsonSchema } from '../../core/report';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of a contract')
    .argument('<name>', 'contract name: report')
    .action((name: string) => {
      const schemas: Record<string, () => unknown> = { report: reportJsonSchema };
      const make = schemas[name];
      if (!make) throw new Error(`unknown schema "${name}"; known: ${Object.keys(schemas).join(', ')}`);
      process.stdout.write(`${JSON.stringify(make(), null, 2)}\n`);
    });
}
