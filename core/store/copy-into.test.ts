import { copyField } from './copy-into';

describe('copyField', () => {
  it('writes NULL as \\N and escapes what COPY text format would read as separators or escapes', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField(52.5)).toBe('52.5');
    expect(copyField('{"note":"a\\tb"}\tx\ny\r')).toBe('{"note":"a\\\\tb"}\\tx\\ny\\r');
    expect(copyField('plain')).toBe('plain');
  });
});
