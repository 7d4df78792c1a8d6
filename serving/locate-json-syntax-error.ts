/**
 * JSON.parse says that a text is not JSON but not where, in terms a producer can act on. This
 * scanner walks the same grammar and names the field path and offset of the first problem, so a
 * literal `NaN` in `{"metrics":{"temp_c":NaN}}` is reported at `metrics.temp_c`. It runs only
 * after JSON.parse has failed, so valid input never pays for it.
 */
export interface JsonSyntaxProblem {
  /** Path segments down to the offending value (keys and array indexes). */
  path: (string | number)[];
  /** Offset in the text, in UTF-16 code units. */
  offset: number;
  message: string;
}

const maxDepth = 1000;

class Problem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function locateJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.document();
    return undefined;
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    return { path: [...scanner.path], offset: err.offset, message: err.message };
  }
}

class Scanner {
  pos = 0;
  readonly path: (string | number)[] = [];

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.skipSpace();
    if (this.pos < this.text.length) throw this.unexpected('after the end of the JSON value');
  }

  private value(): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return void this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    const word = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.pos, this.pos + 32))?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return;
    }
    if (word === 'NaN' || word === 'Infinity') {
      throw new Problem(this.pos, `${word} is not a JSON number (numbers must be finite); send a number or leave the field out`);
    }
    if (word !== undefined) throw new Problem(this.pos, `unexpected word "${word}" where a value was expected (strings need double quotes)`);
    throw this.unexpected('where a value was expected');
  }

  private object(): void {
    this.enter();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') throw this.unexpected('where a double-quoted key was expected');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') throw this.unexpected(`after key "${key}" where ':' was expected`);
      this.pos++;
      this.path.push(key);
      this.value();
      this.path.pop();
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return;
      if (c !== ',') throw this.unexpected("where ',' or '}' was expected", this.pos - 1);
    }
  }

  private array(): void {
    this.enter();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.path.push(i);
      this.value();
      this.path.pop();
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return;
      if (c !== ',') throw this.unexpected("where ',' or ']' was expected", this.pos - 1);
    }
  }

  /** Reads a string literal and returns its (unescaped) content. */
  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) throw new Problem(start, 'string is never closed');
      if (c === '"') break;
      if (c < ' ') throw new Problem(this.pos, 'control character inside a string (escape it, e.g. \\n)');
      if (c === '\\') this.escape();
      else this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private escape(): void {
    const c = this.text[this.pos + 1];
    if (c !== undefined && '"\\/bfnrt'.includes(c)) {
      this.pos += 2;
      return;
    }
    if (c === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
      this.pos += 6;
      return;
    }
    throw new Problem(this.pos, 'invalid escape sequence in a string');
  }

  private number(): void {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (this.text.startsWith('-Infinity', this.pos)) {
      throw new Problem(this.pos, '-Infinity is not a JSON number (numbers must be finite); send a number or leave the field out');
    }
    if (!match) throw new Problem(this.pos, 'malformed number');
    this.pos += match[0].length;
  }

  private enter(): void {
    // Bounded so a pathological body cannot exhaust the stack.
    if (this.path.length >= maxDepth) throw new Problem(this.pos, `nested deeper than ${maxDepth} levels`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] as string)) this.pos++;
  }

  private unexpected(where: string, at = this.pos): Problem {
    const c = this.text[at];
    if (c === undefined) return new Problem(at, `unexpected end of input ${where}`);
    return new Problem(at, `unexpected ${JSON.stringify(c)} ${where}`);
  }
}
