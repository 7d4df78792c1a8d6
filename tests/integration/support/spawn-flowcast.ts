import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const cli = path.join(__dirname, '..', '..', '..', 'dist', 'cli', 'flowcast.js');

export interface RunningCommand {
  child: ChildProcess;
  /** Everything the process wrote to standard error so far (its logs). */
  stderr(): string;
  /** Resolves with the exit code, or the signal's name when killed. */
  exited: Promise<number | string>;
}

/** Starts `flowcast ARGS` from dist/ (built by `make test`) as a separate process. */
export function spawnFlowcast(args: string[], env: Record<string, string>): RunningCommand {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stderr: () => err, exited };
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface FinishedCommand {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `flowcast ARGS` to completion and returns what it printed. */
export function runFlowcast(args: string[], env: Record<string, string>): Promise<FinishedCommand> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
