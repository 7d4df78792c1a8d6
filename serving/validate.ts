import type { z } from 'zod';
import { ValidationError } from '../core/errors';

/** Parses `value` with `schema`, or throws a 400 listing every field path with its message. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const summary = first ? `${first.path || '(root)'}: ${first.message}` : 'invalid';
  throw new ValidationError(`invalid ${what}: ${summary}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, issues);
}
