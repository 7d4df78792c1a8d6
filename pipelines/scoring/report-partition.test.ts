import { parsePartition, partitionGroup, partitionOfDevice } from './report-partition';

describe('report partitions', () => {
  it('puts every device in exactly one of N partitions, spread about evenly', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[partitionOfDevice(`dev-${i}`, 3)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(9_000);
    expect(partitionOfDevice('truck-7', 3)).toBe(partitionOfDevice('truck-7', 3));
    expect(partitionOfDevice('truck-7', 1)).toBe(0);
  });

  it('reads a partition number and says what is wrong otherwise', () => {
    expect(parsePartition('1', 2)).toEqual({ index: 1, count: 2 });
    expect(() => parsePartition('2', 2)).toThrow('partition "2" is not a number from 0 to 1 (SCORING_PARTITIONS is 2)');
    expect(() => parsePartition('a', 2)).toThrow('is not a number from 0 to 1');
    expect(() => parsePartition('-1', 3)).toThrow('is not a number from 0 to 2');
  });

  it('names a group per partition, and keeps the plain name for the whole stream', () => {
    expect(partitionGroup('scoring', { index: 0, count: 1 })).toBe('scoring');
    expect(partitionGroup('scoring', { index: 1, count: 2 })).toBe('scoring-1of2');
  });
});
