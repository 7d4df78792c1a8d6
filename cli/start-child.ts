import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

export interface Child {
  name: string;
  /** SIGTERM, then wait for a clean exit. */
  stop(): Promise<void>;
}

/** Runs another `flowcast` command as a child process, its logs passed through to ours. */
export function startChild(name: string, args: string[], logger: Logger, env: NodeJS.ProcessEnv = process.env): Child {
  const child = spawn(process.execPath, [require.main?.filename ?? process.argv[1]!, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null) logger.error({ name, code }, 'child process exited');
  });
  return {
    name,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
