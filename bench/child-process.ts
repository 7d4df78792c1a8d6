import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Starts `flowcast ARGS` from dist/ as a separate process, resolving once `readyLine` appears in its logs. */
export async function startFlowcast(args: string[], env: Record<string, string>, readyLine: RegExp): Promise<ChildProcess> {
  const cli = path.join(__dirname, '..', 'cli', 'flowcast.js');
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowcast ${args.join(' ')} did not start:\n${log}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (readyLine.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`flowcast ${args.join(' ')} exited with ${code}:\n${log}`)));
  });
  child.stderr!.resume();
  return child;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}
