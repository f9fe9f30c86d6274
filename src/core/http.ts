/**
 * Read an HTTP `Retry-After` header: either delay-seconds (`"7"`) or an HTTP date
 * (`"Wed, 21 Oct 2026 07:28:00 GMT"`). Returns milliseconds to wait (never negative),
 * or `undefined` when the header is missing or unreadable.
 *
 * @example
 * parseRetryAfter(response.headers.get('Retry-After')) // 7000 for "7"
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // A date must name a day and a month; a bare number with a sign or junk is not one.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
