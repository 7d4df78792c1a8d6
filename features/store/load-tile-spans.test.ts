import { parseDoubles, parseIntegers } from './load-tile-spans';

describe('parseIntegers', () => {
  it('reads a Postgres bigint[] text in place, signs and large values included', () => {
    const v = new Float64Array(8);
    expect(parseIntegers('{1,-20,0,1767225600123,-9007199254740991}', v)).toBe(5);
    expect([...v.subarray(0, 5)]).toEqual([1, -20, 0, 1767225600123, -9007199254740991]);
    expect(parseIntegers('{}', v)).toBe(0);
  });
});

describe('parseDoubles', () => {
  it('reads a Postgres double precision[] text exactly as Number would, NULL as NaN', () => {
    const texts = ['1', '52.3', '-0.1', '1e-07', '1.7976931348623157e+308', '0.30000000000000004', '123456789012345678', '-0', '99.99', '5e-324', 'Infinity'];
    const v = new Float64Array(16);
    expect(parseDoubles(`{${texts.join(',')},NULL}`, v)).toBe(texts.length + 1);
    texts.forEach((t, i) => expect(Object.is(v[i], Number(t))).toBe(true));
    expect(v[texts.length]).toBeNaN();
    expect(parseDoubles('{}', v)).toBe(0);
  });

  it('agrees with Number on many random doubles printed the shortest way', () => {
    const v = new Float64Array(1);
    for (let i = 0; i < 20_000; i++) {
      const x = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 12 - 4);
      for (const text of [String(x), x.toFixed(i % 6)]) {
        parseDoubles(`{${text}}`, v);
        expect(v[0]).toBe(Number(text));
      }
    }
  });
});

describe('parsers over a request\'s joined rows', () => {
  it('read each `start{…}` segment of the text by its range only', () => {
    const text = '-15000{1,2,-3}0{4}1767225600000{}';
    const v = new Float64Array(8);
    expect(parseIntegers(text, v, text.indexOf('{'), text.indexOf('}') + 1)).toBe(3);
    expect([...v.subarray(0, 3)]).toEqual([1, 2, -3]);
    const second = text.indexOf('{', 8);
    expect(parseIntegers(text, v, second, text.indexOf('}', second) + 1)).toBe(1);
    expect(v[0]).toBe(4);
    const events = '5{1,52.3,NULL}6{1,-0.25,1e-07}';
    const open = events.indexOf('{', 2);
    expect(parseDoubles(events, v, 1, events.indexOf('}') + 1)).toBe(3);
    expect([v[0], v[1], v[2]]).toEqual([1, 52.3, Number.NaN]);
    expect(parseDoubles(events, v, open, events.length)).toBe(3);
    expect([v[0], v[1], v[2]]).toEqual([1, -0.25, 1e-7]);
  });
});
