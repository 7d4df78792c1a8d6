import { joinArray, splitArray } from './joined-array';

describe('joined array parameters', () => {
  it('joins numbers, JSON text and nulls with the record separator, nulls as empty elements', () => {
    expect(joinArray([1, 2.5, null, '{"a":"b\\"c"}'])).toBe('1\x1e2.5\x1e\x1e{"a":"b\\"c"}');
  });

  it('splits them in SQL into an array of the given type, empty elements as NULL', () => {
    expect(splitArray('$3', 'float8')).toBe("string_to_array($3, E'\\x1e', '')::float8[]");
  });
});
