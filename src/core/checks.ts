import * as z from 'zod/mini';

// Internal to the library (core's schemas and the hook's saved handles); not re-exported from
// the package entries, so these generic names never become public API.

/*
 * Enum values are checked by a membership predicate in `z.custom` and numbers by one predicate
 * each, rather than `z.enum`, `z.number` and `z.gte`/`z.lte`: the same values are accepted with
 * the same types, and each of those zod classes would add its code to every app that imports
 * the client (0.6 kB gz together, bench:size).
 */
/** An optional field that takes one of `values`. */
export const oneOf = <T extends string>(values: readonly T[]) =>
  z.optional(z.custom<T>((value) => values.includes(value as T), { message: `Must be one of ${values.join(', ')}` }));

/** A whole number from `min` to `max`, checked by one predicate. */
export const wholeNumber = (min: number, max: number, message: string) =>
  z.custom<number>((value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max, { message });

/** A finite number, as `z.number()` accepts it, checked by one predicate. */
export const finiteNumber = () =>
  z.custom<number>((value) => typeof value === 'number' && Number.isFinite(value), { message: 'Expected a number' });
