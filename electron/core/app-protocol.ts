/**
 * The `app://` scheme the dashboard is served from instead of `file://` (issue 9, finding 11).
 * A file:// page shares its origin with every other local file and, unless the fuse is off, gets
 * extra privileges over them; an app:// page is its own origin ('self' in the CSP means just our
 * bundle) and can read only what this handler serves: files inside the built renderer folder.
 * https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols
 *
 * Pure apart from the injected file reader, so it is tested without Electron; main.ts registers the
 * scheme and hands `createAppProtocolHandler(...)` to `protocol.handle`.
 */
import path from 'node:path';

export const APP_SCHEME = 'app';
/** A standard scheme needs a host; one fixed name, so the origin is always `app://dify-stack`. */
export const APP_HOST = 'dify-stack';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * What `protocol.registerSchemesAsPrivileged` needs before app ready: standard (real origin, relative
 * URLs resolve like http), secure (a secure context, like https). Nothing more: no CSP bypass, no
 * service workers, not reachable from other origins by CORS.
 */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true } as const;

/** Only the types the built renderer contains; anything else is not served. */
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppRequestTarget =
  { ok: true; file: string; mimeType: string } | { ok: false; status: 400 | 403 | 404 | 405; reason: string };

type PathApi = Pick<typeof path.posix, 'join' | 'relative' | 'isAbsolute' | 'sep' | 'extname'>;

/**
 * The file inside `rootDir` a request URL names, or why it is refused. `/` is index.html. Dot
 * segments, empty segments, and segments that decode to a separator, a drive (`C:`), a NUL or a
 * dot segment (`%2e%2e`, `..%2f`, `..%5c`) are refused outright rather than normalised: Chromium
 * already resolves plain `..` in a standard URL, so any that arrive were made to get past it.
 */
export function resolveAppRequest(
  requestUrl: string,
  rootDir: string,
  options: { method?: string; pathApi?: PathApi } = {},
): AppRequestTarget {
  const p = options.pathApi ?? path;
  const method = (options.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return refuse(405, 'method');

  const prefix = `${APP_SCHEME}://`;
  if (requestUrl.slice(0, prefix.length).toLowerCase() !== prefix) return refuse(400, 'scheme');
  // Segments come from the raw text, not from `new URL`, which would silently resolve `..`.
  const rest = requestUrl.slice(prefix.length).replace(/[?#].*$/s, '');
  const slash = rest.indexOf('/');
  const host = slash === -1 ? rest : rest.slice(0, slash);
  if (host.toLowerCase() !== APP_HOST) return refuse(403, 'host');
  const rawPath = slash === -1 ? '/' : rest.slice(slash);
  if (rawPath.includes('\\')) return refuse(403, 'backslash');

  const rawSegments = rawPath === '/' ? ['index.html'] : rawPath.slice(1).split('/');
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return refuse(400, 'encoding');
    }
    if (segment === '' || segment === '.' || segment === '..') return refuse(403, 'segment');
    if (/[/\\:\0]/.test(segment)) return refuse(403, 'segment');
    segments.push(segment);
  }

  const file = p.join(rootDir, ...segments);
  // Belt and braces: whatever the rules above missed, the result must stay under the root.
  const relative = p.relative(rootDir, file);
  if (relative === '' || relative.startsWith('..') || p.isAbsolute(relative)) return refuse(403, 'outside');

  const mimeType = MIME_TYPES[p.extname(file).toLowerCase()];
  if (!mimeType) return refuse(404, 'type');
  return { ok: true, file, mimeType };
}

/** Headers of a served file: the CSP on documents, and no MIME sniffing of anything. */
export function appResponseHeaders(mimeType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': mimeType,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...(mimeType.startsWith('text/html') ? { 'Content-Security-Policy': csp } : {}),
  };
}

export interface AppProtocolDeps {
  /** The built renderer folder (dist/renderer, inside app.asar when packaged). */
  rootDir: string;
  /** fs.promises.readFile in main (reads inside app.asar too); rejects for a missing file. */
  readFile(file: string): Promise<Uint8Array>;
  csp(): string;
  pathApi?: PathApi;
}

/** The `protocol.handle` callback: a fetch Request in, a fetch Response out. */
export function createAppProtocolHandler(
  deps: AppProtocolDeps,
): (request: { url: string; method: string }) => Promise<Response> {
  return async (request) => {
    const target = resolveAppRequest(request.url, deps.rootDir, {
      method: request.method,
      pathApi: deps.pathApi,
    });
    if (!target.ok) return new Response(null, { status: target.status });
    let body: Uint8Array;
    try {
      body = await deps.readFile(target.file);
    } catch {
      return new Response(null, { status: 404 });
    }
    const headers = appResponseHeaders(target.mimeType, deps.csp());
    return new Response(request.method.toUpperCase() === 'HEAD' ? null : body, { headers });
  };
}

function refuse(status: 400 | 403 | 404 | 405, reason: string): AppRequestTarget {
  return { ok: false, status, reason };
}
