/**
 * Whether logging in at a Dify URL sends the password readable on the network: plain `http://` to a
 * host that is not this machine. Loopback (127.0.0.0/8, ::1, `localhost`) never leaves the machine, so
 * the local stack's http://localhost is fine; anything else over http is warned about in the app and
 * the CLI (issue 9). The renderer has the same rule in pages/settings/dify-url.ts (it may not import
 * this file); a test runs both on one table.
 */
export function sendsPasswordInClear(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname);
}

/**
 * `hostname` as WHATWG URL gives it: lowercase, IPv4 in dotted-quad (`127.1` → `127.0.0.1`), IPv6 in
 * brackets and compressed (`[::ffff:127.0.0.1]` → `[::ffff:7f00:1]`). Names other than `localhost` are
 * not trusted to be loopback: what they resolve to is up to DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
  );
}
