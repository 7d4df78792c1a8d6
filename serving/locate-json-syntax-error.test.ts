import { locateJsonSyntaxError } from './locate-json-syntax-error';

describe('locateJsonSyntaxError', () => {
  it('finds nothing wrong in valid JSON', () => {
    expect(locateJsonSyntaxError('{"a":[1,-2.5e3,"x\\n\\u00e9",true,null,{}],"b":{}}')).toBeUndefined();
    expect(locateJsonSyntaxError(' [] ')).toBeUndefined();
  });

  it('names the field of a literal NaN or Infinity', () => {
    const text = '{"id":"r1","metrics":{"battery_pct":80,"temp_c":NaN}}';
    expect(locateJsonSyntaxError(text)).toEqual({
      path: ['metrics', 'temp_c'],
      offset: text.indexOf('NaN'),
      message: 'NaN is not a JSON number (numbers must be finite); send a number or leave the field out',
    });
    expect(locateJsonSyntaxError('{"location":{"lat":-Infinity}}')?.path).toEqual(['location', 'lat']);
    expect(locateJsonSyntaxError('[{"a":1},{"m":{"x":Infinity}}]')?.path).toEqual([1, 'm', 'x']);
  });

  it('describes the usual mistakes', () => {
    expect(locateJsonSyntaxError('{"a":1,}')).toMatchObject({ path: [], message: 'unexpected "}" where a double-quoted key was expected' });
    expect(locateJsonSyntaxError("{'a':1}")?.message).toBe('unexpected "\'" where a double-quoted key was expected');
    expect(locateJsonSyntaxError('{"a":1')).toMatchObject({ message: "unexpected end of input where ',' or '}' was expected" });
    expect(locateJsonSyntaxError('{"deviceId":dev1}')).toMatchObject({
      path: ['deviceId'],
      message: 'unexpected word "dev1" where a value was expected (strings need double quotes)',
    });
    expect(locateJsonSyntaxError('{"a":"x')).toMatchObject({ path: ['a'], message: 'string is never closed' });
    expect(locateJsonSyntaxError('{"a":1} {"b":2}')).toMatchObject({ offset: 8, message: 'unexpected "{" after the end of the JSON value' });
    expect(locateJsonSyntaxError('{"a":01}')?.message).toBe("unexpected \"1\" where ',' or '}' was expected");
  });

  it('stops at a bounded depth instead of exhausting the stack', () => {
    expect(locateJsonSyntaxError('['.repeat(100_000))?.message).toBe('nested deeper than 1000 levels');
  });
});
