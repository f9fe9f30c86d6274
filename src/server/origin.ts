/** Methods that change nothing; every other method is checked against the allowed origins. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A Host header we accept: a DNS name or IP literal and an optional port (0–65535), nothing else.
 * Underscores count as name characters: nginx sends an `upstream app_backend` block's name as Host.
 * A DNS name may end in one `.` (fully qualified, `example.com.`, valid HTTP); an IP address may
 * not (`[::1].`, and `127.0.0.1.` or `0x7f.`, whose last label the URL parser reads as a number).
 * `example.com.` stays a host of its own: the request URL keeps the dot, and so the origin
 * check compares it exactly as the browser sends `Origin` (`http://example.com.` is a
 * different origin from `http://example.com`, for the browser and for the proxy).
 */
export const HOST =
  /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*(?:(?<!(?:^|\.)(?:\d+|0[xX][0-9A-Fa-f]*))\.)?|\[[0-9A-Fa-f:.]+\])(?::(?:[0-5]?\d{1,4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?$/;

function firstValue(header: string | null): string | undefined {
  return header?.split(',')[0]?.trim() || undefined;
}

/** Whether the method may change state (and so is checked against the allowed origins). */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method);
}

/**
 * The origin the browser reached this request at. Without `trustProxy`, the request URL's; with
 * it, the first `X-Forwarded-Proto` (`http`/`https`) and `X-Forwarded-Host` values where they are
 * well-formed, so a proxy behind a TLS-terminating load balancer sees `https://app.example`.
 * A forwarded host the URL parser refuses (`[1]`, a port over 65535) is ignored like a missing
 * one, so a client sending it gets the request's own host, never a 500.
 */
export function publicOrigin(request: Request, trustProxy: boolean): URL {
  const url = new URL(request.url);
  if (!trustProxy) return new URL(url.origin);
  const proto = firstValue(request.headers.get('x-forwarded-proto'))?.toLowerCase();
  const host = firstValue(request.headers.get('x-forwarded-host'));
  const scheme = proto === 'http' || proto === 'https' ? proto : url.protocol.slice(0, -1);
  if (host && HOST.test(host)) {
    try {
      return new URL(`${scheme}://${host}`);
    } catch {
      // Not a valid host after all: fall back to the request's own, below.
    }
  }
  return new URL(`${scheme}://${url.host}`);
}

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
 * Hosts compare exactly, a trailing dot included, as the browser compares origins.
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
 * `Origin: null` passes only with `Sec-Fetch-Site: same-origin`: browsers send `null` for a
 * same-origin POST from a page with `Referrer-Policy: no-referrer`, pages cannot set
 * `Sec-Fetch-*`, and opaque origins (sandboxed iframes, `file:`) are marked cross-site.
 */
export function crossSiteReason(request: Request, own: URL, allowed: ReadonlySet<string>): string | undefined {
  const origin = request.headers.get('origin');
  const fetchSite = request.headers.get('sec-fetch-site');
  if (origin === null) {
    return fetchSite === 'cross-site' ? 'Sec-Fetch-Site: cross-site without an Origin' : undefined;
  }
  if (origin === 'null' && fetchSite === 'same-origin') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && (isOwnOrigin(parsed, own) || allowed.has(parsed.origin))) return undefined;
  return `Origin ${origin.length > 100 ? `${origin.slice(0, 99)}…` : origin}`;
}
