/**
 * OLLAMA_HOST read exactly as Ollama reads it, so we connect where the server we start (or the one the
 * user runs) really listens. Source: ollama/ollama v0.33 `envconfig/config.go` — `Var()` trims spaces,
 * then quote characters; `Host()` splits an optional scheme, drops any path, and falls back to
 * 127.0.0.1 and the scheme's default port (http 80, https 443, none 11434) for what it cannot parse;
 * `ConnectableHost()` swaps an unspecified bind address for loopback because a client cannot connect to
 * it (it fails on Windows).
 */
import { isIP } from 'node:net';

export interface OllamaEndpoint {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Where WE connect: a loopback address when it binds every interface (never connect to 0.0.0.0). */
  url: string;
  bindsAllInterfaces: boolean;
}

export const DEFAULT_OLLAMA_HOST = '127.0.0.1:11434';

/** Ollama's `Var()`: surrounding spaces, then any `"` and `'` at either end, are not part of the value. */
export function ollamaVar(value: string): string {
  return value.trim().replace(/^["']+|["']+$/g, '');
}

export function parseOllamaHost(value: string): OllamaEndpoint {
  const s = ollamaVar(value).trim();
  let scheme: string;
  let hostport: string;
  let defaultPort = 11434;
  const cut = s.indexOf('://');
  if (cut < 0) {
    scheme = 'http';
    hostport = s;
    if (s === 'ollama.com') [scheme, hostport] = ['https', 'ollama.com:443'];
  } else {
    scheme = s.slice(0, cut);
    hostport = s.slice(cut + 3);
    if (scheme === 'http') defaultPort = 80;
    if (scheme === 'https') defaultPort = 443;
  }
  // The path is for clients behind a proxy; `serve` listens on host:port only (cmd.go RunServer).
  hostport = hostport.split('/')[0] ?? '';

  let host: string;
  let portText: string;
  const split = splitHostPort(hostport);
  if (split) {
    [host, portText] = split;
  } else {
    host = '127.0.0.1';
    portText = String(defaultPort);
    const ip = hostport.replace(/^\[+|\]+$/g, '');
    if (isIP(ip)) host = canonicalIp(ip);
    else if (hostport !== '') host = hostport;
  }
  // strconv.ParseInt(port, 10, 32): an optional sign and decimal digits; out of range → the default.
  const port = /^[+-]?\d+$/.test(portText) ? Number(portText) : NaN;
  const finalPort = Number.isInteger(port) && port >= 0 && port <= 65535 ? port : defaultPort;

  const bindsAllInterfaces = unspecified(host) !== null;
  const connectHost = bindsAllInterfaces ? (unspecified(host) === '::' ? '::1' : '127.0.0.1') : host;
  // Any other scheme ("tcp://…") still binds host:port; it can only be spoken to over plain http.
  const urlScheme = scheme === 'https' ? 'https' : 'http';
  return {
    scheme: urlScheme,
    host,
    port: finalPort,
    url: `${urlScheme}://${isIP(connectHost) === 6 ? `[${connectHost}]` : connectHost}:${finalPort}`,
    bindsAllInterfaces,
  };
}

/** The setting wins; empty → OLLAMA_HOST from env; empty → 127.0.0.1:11434. `source` says which. */
export function ollamaEndpoint(
  setting: string,
  env: NodeJS.ProcessEnv,
): { endpoint: OllamaEndpoint; hostValue: string; source: 'setting' | 'environment' | 'default' } {
  // Blank after Var()'s trimming counts as unset: Host() then uses its default too.
  if (ollamaVar(setting) !== '')
    return { endpoint: parseOllamaHost(setting), hostValue: setting, source: 'setting' };
  const fromEnv = env.OLLAMA_HOST ?? '';
  if (ollamaVar(fromEnv) !== '')
    return { endpoint: parseOllamaHost(fromEnv), hostValue: fromEnv, source: 'environment' };
  return {
    endpoint: parseOllamaHost(DEFAULT_OLLAMA_HOST),
    hostValue: DEFAULT_OLLAMA_HOST,
    source: 'default',
  };
}

/**
 * Go's net.SplitHostPort: `host:port` or `[v6]:port`; null where Go returns an error (no port, too many
 * colons, misplaced brackets). The port may be empty — ParseInt then rejects it.
 */
function splitHostPort(hostport: string): [string, string] | null {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return null;
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    if (host.includes('[') || host.includes(']')) return null;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':') || host.includes('[') || host.includes(']')) return null;
  }
  const port = hostport.slice(i + 1);
  if (port.includes('[') || port.includes(']')) return null;
  return [host, port];
}

/** Go's `net.ParseIP(s).String()`: IPv6 in its shortest form (`::ffff:1.2.3.4` prints as `1.2.3.4`). */
function canonicalIp(ip: string): string {
  if (isIP(ip) === 4) return ip;
  const hostname = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(hostname);
  if (!mapped) return hostname;
  const [hi, lo] = [parseInt(mapped[1] ?? '0', 16), parseInt(mapped[2] ?? '0', 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** '0.0.0.0' or '::' when `host` is an unspecified address (or empty: Go binds every interface), else null. */
function unspecified(host: string): '0.0.0.0' | '::' | null {
  if (host === '' || host === '0.0.0.0') return '0.0.0.0';
  if (isIP(host) !== 6) return null;
  const ip = canonicalIp(host);
  return ip === '::' ? '::' : ip === '0.0.0.0' ? '0.0.0.0' : null;
}
