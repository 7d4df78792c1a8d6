import { parseIntegers } from './load-tile-spans';

describe('parseIntegers', () => {
  it('reads a Postgres bigint[] text in place, signs and large values included', () => {
    const v = new Float64Array(8);
    expect(parseIntegers('{1,-20,0,1767225600123,-9007199254740991}', v)).toBe(5);
    expect([...v.subarray(0, 5)]).toEqual([1, -20, 0, 1767225600123, -9007199254740991]);
    expect(parseIntegers('{}', v)).toBe(0);
  });
});
