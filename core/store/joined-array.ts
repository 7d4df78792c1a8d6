/**
 * An array parameter sent as one string, its elements joined by the ASCII record separator and
 * split again in SQL by `splitArray`, instead of node-postgres' array literal: pg quotes every
 * element and escapes it with two regular expressions (a tenth of the ingest process's CPU with
 * JSON bodies) and PostgreSQL parses the escapes back. Only for values that cannot hold the
 * separator: JSON text (a raw control character is never valid JSON), numbers, ISO timestamps and
 * array literals of numbers; never for free text such as ids.
 */
const separator = '\x1e';

/** Nulls travel as empty strings, which splitArray turns back into NULL. */
export function joinArray(values: readonly (string | number | null)[]): string {
  return values.map((v) => (v === null ? '' : String(v))).join(separator);
}

/** SQL for the array of `type` that joinArray's string (the parameter `param`, e.g. `?` or `$1`) stands for. */
export function splitArray(param: string, type: string): string {
  return `string_to_array(${param}, E'\\x1e', '')::${type}[]`;
}
