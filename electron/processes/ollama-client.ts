/**
 * The few Ollama API calls the app needs (ollama/ollama v0.33 `server/routes.go`, `api/types.go`):
 * `GET /` answers "Ollama is running" once the server serves — the readiness check, since the
 * "Listening on" line is printed before (facts.md); `/api/tags` (installed), `/api/ps` (loaded, bytes);
 * an unload is `POST /api/generate {"model","keep_alive":0}`, answered at once while the model leaves
 * `/api/ps` a moment later.
 *
 * Every call has its own time limit, and redirects are never followed: whatever answers on a local
 * port and redirects is not Ollama.
 */
import type { z } from 'zod';
import { AppError } from '../core/errors';
import { lazySchema } from '../core/lazy-schema';
import { localRequest, type LocalResponse } from './local-http';

const RUNNING = 'Ollama is running';

/** Is it Ollama that answered `GET /`? (A 200 with another body is another program on its port: PORT_TAKEN.) */
export function looksLikeOllama(status: number, body: string): boolean {
  return status === 200 && body.trimStart().startsWith(RUNNING);
}

// Built when an answer comes (a status that finds no Ollama never loads zod: core/lazy-schema.ts).
const VersionSchema = lazySchema((z) => z.object({ version: z.string() }));
const TagsSchema = lazySchema((z) =>
  z.object({
    models: z
      .array(z.object({ name: z.string(), size: z.number(), remote_host: z.string().optional() }))
      .nullable(),
  }),
);
const PsSchema = lazySchema((z) =>
  z.object({
    models: z
      .array(
        z.object({
          name: z.string(),
          size: z.number(),
          size_vram: z.number(),
          expires_at: z.string().nullable().optional(),
        }),
      )
      .nullable(),
  }),
);

export interface OllamaModel {
  name: string;
  /** Bytes on disk. */
  size: number;
  /** A cloud model (`remote_host`): listed by Ollama, but it runs elsewhere and holds no VRAM here. */
  remote: boolean;
}

export interface OllamaLoadedModel {
  name: string;
  /** Bytes in memory, and how many of them in VRAM. */
  size: number;
  sizeVram: number;
  expiresAt: string | null;
}

export class OllamaClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: { timeoutMs?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** GET / → 200 "Ollama is running"; false when nothing (or something else) answers. Never throws. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.request('GET', '/', undefined, signal);
      return looksLikeOllama(res.status, res.text);
    } catch {
      return false;
    }
  }

  /** The server's version, null when it does not answer. */
  async version(): Promise<string | null> {
    try {
      return (await this.json('GET', '/api/version', VersionSchema())).version;
    } catch {
      return null;
    }
  }

  async tags(): Promise<OllamaModel[]> {
    const body = await this.json('GET', '/api/tags', TagsSchema());
    return (body.models ?? []).map((m) => ({ name: m.name, size: m.size, remote: Boolean(m.remote_host) }));
  }

  async ps(): Promise<OllamaLoadedModel[]> {
    const body = await this.json('GET', '/api/ps', PsSchema());
    return (body.models ?? []).map((m) => ({
      name: m.name,
      size: m.size,
      sizeVram: m.size_vram,
      expiresAt: m.expires_at ?? null,
    }));
  }

  /** keep_alive 0, then polls /api/ps until the model is gone (timeout) → true when gone. */
  async unload(model: string, opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
    // An empty prompt with keep_alive 0 is Ollama's unload request (GenerateHandler); it answers before
    // the runner is gone, which waits for the requests still in flight.
    const res = await this.send('POST', '/api/generate', { model, keep_alive: 0 });
    if (!res.ok) throw this.failed('/api/generate', `HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    const wanted = modelKey(model);
    for (;;) {
      const loaded = await this.ps();
      if (!loaded.some((m) => modelKey(m.name) === wanted)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async json<T>(method: string, path: string, schema: z.ZodType<T>): Promise<T> {
    const res = await this.send(method, path);
    const text = res.text;
    if (!res.ok) throw this.failed(path, `HTTP ${res.status}: ${text.slice(0, 200)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.failed(path, 'not JSON');
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw this.failed(path, result.error.issues[0]?.message ?? 'unexpected shape');
    return result.data;
  }

  /** `request`, a failure to connect or to answer in time thrown as PROCESS_API_FAILED. */
  private async send(method: string, path: string, body?: unknown): Promise<LocalResponse> {
    try {
      return await this.request(method, path, body);
    } catch (e) {
      throw this.failed(path, reasonOf(e), e);
    }
  }

  private request(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<LocalResponse> {
    return localRequest(this.baseUrl + path, { method, json: body, timeoutMs: this.timeoutMs, signal });
  }

  private failed(path: string, reason: string, cause?: unknown): AppError {
    return new AppError('PROCESS_API_FAILED', {
      params: { component: 'Ollama', url: this.baseUrl + path, reason },
      cause,
    });
  }
}

/** The name /api/ps shows for a model asked for as `model` (the tag defaults to `latest`; case does not matter). */
function modelKey(model: string): string {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^registry\.ollama\.ai\//, '')
    .replace(/^library\//, '');
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}

function reasonOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  if (e instanceof Error && e.name === 'TimeoutError') return 'no answer in time';
  return e instanceof Error ? e.message : String(e);
}
