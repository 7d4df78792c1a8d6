/**
 * Runs `task` every `ms` until stopped, one run at a time (a run still going when the next is due
 * makes that one skip); a failed run is reported to `onError` and the next one tries again.
 */
export function every(ms: number, task: () => Promise<unknown>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = task().catch(onError).finally(() => (running = undefined));
  }, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
