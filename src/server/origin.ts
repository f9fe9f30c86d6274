/** Methods that change nothing; every other method is checked against the allowed origins. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Turn each `allowedOrigins` entry into its serialised origin (`https://a.example`), or throw. */
export function normaliseOrigins(origins: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const entry of origins ?? []) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
      throw new TypeError(`allowedOrigins entries must be origins like "https://app.example" (got "${entry}")`);
    }
    out.add(url.origin);
  }
  return out;
}

/**
 * Whether a page at `origin` is this site: the same host, and the same scheme or a page on
 * `https://` calling the host over `http://` (TLS ended in front of the proxy, Host kept).
 */
function isOwnOrigin(origin: URL, own: URL): boolean {
  if (origin.host !== own.host) return false;
  return origin.protocol === own.protocol || (origin.protocol === 'https:' && own.protocol === 'http:');
}

/**
 * The reason a state-changing request must be refused as cross-site, or `undefined` to let it
 * through. A request with an `Origin` passes when that is the request's own origin (`own`) or
 * in `allowed`; one without `Origin` passes unless the browser marked it
 * `Sec-Fetch-Site: cross-site` (curl and server-to-server calls send neither).
 */
export function crossSiteReason(request: Request, own: URL, allowed: ReadonlySet<string>): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const origin = request.headers.get('origin');
  if (origin === null) {
    return request.headers.get('sec-fetch-site') === 'cross-site' ? 'Sec-Fetch-Site: cross-site without an Origin' : undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && (isOwnOrigin(parsed, own) || allowed.has(parsed.origin))) return undefined;
  return `Origin ${origin.length > 100 ? `${origin.slice(0, 99)}…` : origin}`;
}
