// Free of zod on purpose: components that only need this check (ResultGrid) must not pull the
// schemas, and with them zod, into an app's bundle.

/** True for an absolute `http:` or `https:` URL; everything else (data:, javascript:, relative) is refused. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
