import { parseEventValues, parseIntegers } from './load-tile-spans';

describe('parseIntegers', () => {
  it('reads a Postgres bigint[] text in place, signs and large values included', () => {
    const v = new Float64Array(8);
    expect(parseIntegers('{1,-20,0,1767225600123,-9007199254740991}', v)).toBe(5);
    expect([...v.subarray(0, 5)]).toEqual([1, -20, 0, 1767225600123, -9007199254740991]);
    expect(parseIntegers('{}', v)).toBe(0);
  });
});

describe('parseEventValues', () => {
  it('reads a Postgres double precision[] text, NULLs and exponents included, exactly', () => {
    expect(parseEventValues('{1,52.3,NULL,1e-07,-0.1,1.7976931348623157e+308}')).toEqual([1, 52.3, null, 1e-7, -0.1, Number.MAX_VALUE]);
    expect(parseEventValues('{}')).toEqual([]);
  });
});
