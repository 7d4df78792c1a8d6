import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Extra node flags for the flowcast processes a benchmark starts, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile them. */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Starts `flowcast ARGS` from dist/ as a separate process, resolving once `readyLine` appears in its logs. */
export async function startFlowcast(args: string[], env: Record<string, string>, readyLine: RegExp): Promise<ChildProcess> {
  const cli = path.join(__dirname, '..', 'cli', 'flowcast.js');
  const child = spawn(process.execPath, [...nodeArgs, cli, ...args], { env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
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

/**
 * Runs `flowcast ARGS` from dist/ to completion as a separate process; resolves with its stdout,
 * rejects (with the end of its logs) when it exits non-zero.
 */
export async function runFlowcast(args: string[], env: Record<string, string>): Promise<string> {
  const cli = path.join(__dirname, '..', 'cli', 'flowcast.js');
  const child = spawn(process.execPath, [...nodeArgs, cli, ...args], { env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-8_000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`flowcast ${args.join(' ')} exited with ${code}:\n${log}`);
  return stdout;
}
