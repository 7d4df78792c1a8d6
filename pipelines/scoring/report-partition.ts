import { ConfigError } from '../../core/errors';

/**
 * One of `count` disjoint shares of the report stream, chosen by device: every report of a
 * device falls in the same partition, so one process scores a device's reports in the order it
 * read them and its alerts open and clear in that order, however many processes share the stream.
 */
export interface ReportPartition {
  /** 0-based, below `count`. */
  index: number;
  count: number;
}

export const wholeStream: ReportPartition = { index: 0, count: 1 };

/** Partition `k` (0-based) of `count`, from a command-line argument; a clear error for anything else. */
export function parsePartition(text: string, count: number): ReportPartition {
  const index = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(index >= 0 && index < count)) {
    throw new ConfigError('SCORING_PARTITIONS', `partition ${JSON.stringify(text)} is not a number from 0 to ${count - 1} (SCORING_PARTITIONS is ${count})`);
  }
  return { index, count };
}

/** The group (or subscription) names of all `count` partitions of `group`, in partition order. */
export function partitionGroups(group: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => partitionGroup(group, { index, count }));
}

/** The partition a device's reports belong to: FNV-1a of its id, so every process agrees. */
export function partitionOfDevice(deviceId: string, count: number): number {
  if (count <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % count;
}

/** The consumer group (or subscription suffix) of a partition: each reads the whole stream and keeps its share. */
export function partitionGroup(group: string, p: ReportPartition): string {
  return p.count <= 1 ? group : `${group}-${p.index}of${p.count}`;
}
