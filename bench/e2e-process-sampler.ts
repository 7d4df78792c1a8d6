import { readFileSync } from 'node:fs';
import type { Knex } from 'knex';

const ticksPerSecond = 100; // USER_HZ on Linux

interface Sample {
  ticks: number;
  rssMb: number;
}

/** utime + stime (clock ticks) and resident memory of one process, from /proc; undefined once it is gone. */
function read(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { ticks, rssMb: (rssPages * 4096) / 2 ** 20 };
  } catch {
    return undefined;
  }
}

/**
 * CPU (percent of one core, averaged over the sampling) and peak resident memory of named groups
 * of processes, sampled from /proc every 500 ms until stop().
 */
export class ProcessSampler {
  private readonly groups = new Map<string, { pids: number[]; first: Map<number, number>; last: Map<number, number>; peakRssMb: number; startedAt: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(groups: Record<string, number>) {
    for (const [name, pid] of Object.entries(groups)) this.add(name, [pid]);
    this.timer = setInterval(() => this.sample(), 500);
  }

  add(name: string, pids: number[]): void {
    const known = this.groups.get(name);
    const g = { pids, first: new Map<number, number>(), last: new Map<number, number>(), peakRssMb: 0, startedAt: Date.now() };
    // On a restart, a process seen before is measured from now like the others.
    if (known) for (const pid of known.pids) if (!g.pids.includes(pid)) g.pids.push(pid);
    this.groups.set(name, g);
    this.sampleGroup(g);
  }

  /** Adds processes to a group as they appear (e.g. database connections opened lazily); measured from when first seen. */
  extend(name: string, pids: number[]): void {
    const g = this.groups.get(name);
    if (!g) return this.add(name, pids);
    for (const pid of pids) if (!g.pids.includes(pid)) g.pids.push(pid);
    this.sampleGroup(g);
  }

  /** Starts every group's measurement again from now. */
  restart(): void {
    for (const [name, g] of this.groups) this.add(name, g.pids);
  }

  stop(): { cpuPct: Record<string, number>; peakRssMb: Record<string, number> } {
    clearInterval(this.timer);
    this.sample();
    const cpuPct: Record<string, number> = {};
    const peakRssMb: Record<string, number> = {};
    for (const [name, g] of this.groups) {
      let ticks = 0;
      for (const [pid, first] of g.first) ticks += (g.last.get(pid) ?? first) - first;
      const seconds = (Date.now() - g.startedAt) / 1000;
      cpuPct[name] = seconds > 0 ? Math.round((ticks / ticksPerSecond / seconds) * 1000) / 10 : 0;
      peakRssMb[name] = Math.round(g.peakRssMb);
    }
    return { cpuPct, peakRssMb };
  }

  private sample(): void {
    for (const g of this.groups.values()) this.sampleGroup(g);
  }

  private sampleGroup(g: { pids: number[]; first: Map<number, number>; last: Map<number, number>; peakRssMb: number }): void {
    let rss = 0;
    for (const pid of g.pids) {
      const s = read(pid);
      if (!s) continue;
      if (!g.first.has(pid)) g.first.set(pid, s.ticks);
      g.last.set(pid, s.ticks);
      rss += s.rssMb;
    }
    g.peakRssMb = Math.max(g.peakRssMb, rss);
  }
}

/** The server processes of the connections to one database, for a ProcessSampler group. */
async function postgresBackends(db: Knex, dbName: string, settleMs = 500): Promise<number[]> {
  // The consumers open their pools lazily: give them a moment to connect first.
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  const rows = (await db.raw('SELECT pid FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()', [dbName])) as { rows: { pid: number }[] };
  return rows.rows.map((r) => r.pid);
}

/**
 * Samples the database's server processes as group `postgres`: those connected now, and every
 * second any the pools open later (they connect lazily), each from when it appears. Returns stop.
 */
export async function watchPostgres(sampler: ProcessSampler, db: Knex, dbName: string, settleMs = 0): Promise<() => void> {
  sampler.add('postgres', await postgresBackends(db, dbName, settleMs));
  const timer = setInterval(() => void postgresBackends(db, dbName, 0).then((pids) => sampler.extend('postgres', pids), () => undefined), 1000);
  return () => clearInterval(timer);
}
