// Credentials in an endpoint URL (`http://user:pw@host/v1?api-key=K`): what the requests need of
// them (the user info as HTTP Basic auth, the query parameters on every request) and what may be
// shown or stored (the URL with the user info and every secret-looking parameter value as ***).
// Everything that shows or stores an endpoint URL (policy id and label, error messages, journal
// headers, selection files, progress lines) takes the scrubbed form; only the requests see the rest.

/** Query parameter names that carry a secret: api-key, access_token, client_secret, password, auth, sig, … */
const SECRET_NAME = /key|token|secret|passw|pwd|auth|sig|credential|session|cookie|bearer|jwt|otp/i;

/** scheme://, the authority (user info up to the last @), path, ?query, #fragment. */
const PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\\]*)([^?#]*)(\?[^#]*)?(#.*)?$/is;

export interface EndpointUrl {
  /** Where requests go: scheme, host, port and path, without user info, query or trailing slash. */
  base: string;
  /** The URL's query parameters, all of them (secrets included): sent with every request. */
  query: Record<string, string>;
  /** `Basic …` from the URL's user info, or undefined. */
  basicAuth?: string;
  /** The URL as it may be shown and stored: user info and secret parameter values as ***, no trailing slash. */
  display: string;
  /** Strings that must never be shown (the user info, password, secret values, Basic credentials). */
  secrets: string[];
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** The query with every secret-looking parameter's value as ***, the rest as written. */
function scrubQuery(search: string): string {
  return search.replace(/([?&])([^=&#]*)=([^&#]*)/g, (all, sep: string, name: string) => (SECRET_NAME.test(decode(name)) ? `${sep}${name}=***` : all));
}

/**
 * A URL as it may be shown or stored: user info as `***@`, secret-looking query values as ***.
 * Anything else is kept exactly as written (so an id built from a URL without secrets is unchanged).
 */
export function scrubUrl(url: string): string {
  const m = PARTS.exec(url);
  // Not scheme://…: still no user info (anything up to an @) and no secret parameter.
  if (!m) return scrubQuery(url.replace(/[^\s/?#@]+@/g, '***@'));
  const [, scheme, authority, path, search = '', hash = ''] = m;
  const at = authority.lastIndexOf('@');
  return `${scheme}${at >= 0 ? `***@${authority.slice(at + 1)}` : authority}${path}${scrubQuery(search)}${hash}`;
}

/** Every URL in a text scrubbed (error messages quote URLs: undici's, the server's own). */
export function scrubUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (u) => scrubUrl(u));
}

/** Splits an endpoint URL into what requests use and what may be shown. Throws on a string that is not a URL. */
export function parseEndpointUrl(raw: string): EndpointUrl {
  const url = new URL(raw);
  const m = PARTS.exec(raw.trim());
  if (!m) throw new TypeError('not a URL');
  const [, scheme, authority, path, search = '', hash = ''] = m;
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const secrets: string[] = [];
  let basicAuth: string | undefined;
  if (at >= 0) {
    const user = decode(url.username);
    const password = decode(url.password);
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    basicAuth = `Basic ${basic}`;
    secrets.push(userinfo, basic, password, url.password);
    // A user name alone is less of a secret, and a short one would mangle messages: only a long one.
    if (user.length >= 5) secrets.push(user, url.username);
  }
  for (const [k, v] of url.searchParams) if (SECRET_NAME.test(k)) secrets.push(v, encodeURIComponent(v));
  const trimmed = path.replace(/\/+$/, '');
  return {
    base: `${scheme}${hostPort}${trimmed}`,
    query,
    basicAuth,
    display: `${scheme}${at >= 0 ? `***@${hostPort}` : hostPort}${trimmed}${scrubQuery(search)}${hash}`.replace(/\/+$/, ''),
    secrets: [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length),
  };
}

/** `text` without any of `secrets` (longest first) and with every URL in it scrubbed. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return scrubUrlsIn(out);
}
