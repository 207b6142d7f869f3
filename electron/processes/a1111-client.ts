/**
 * The AUTOMATIC1111 API calls the app needs (stable-diffusion-webui v1.10 `modules/api/api.py`,
 * `modules/ui.py` setup_ui_api). `/internal/ping` exists in UI mode even without --api; every `/sdapi`
 * route exists only with --api (else 404 `{"detail":"Not Found"}`), needs HTTP Basic auth with
 * --api-auth (401), and server-stop/-kill only with --api-server-stop. Both kinds appear only after
 * `Startup time:` — `Running on local URL` comes before they are mounted.
 *
 * Every call has its own time limit and never follows a redirect. Status calls never throw: they answer
 * what they could tell (null, false, 'down').
 */
import { AppError } from '../core/errors';
import { lazySchema } from '../core/lazy-schema';
import { localRequest } from './local-http';

// Built when an answer comes (a status that finds no A1111 never loads zod: core/lazy-schema.ts).
const SdModelsSchema = lazySchema((z) => z.array(z.object({ title: z.string() })));
const OptionsSchema = lazySchema((z) => z.object({ sd_model_checkpoint: z.string().nullable().optional() }));
const ProgressSchema = lazySchema((z) =>
  z.object({
    progress: z.number(),
    eta_relative: z.number(),
    state: z.object({ job_count: z.number() }),
  }),
);

/**
 * 'starting': something answers 404 on both `/sdapi` and `/internal/ping` — A1111 between `Running on
 * local URL` and `Startup time` (Gradio serves before the routes are added), or another program.
 */
export type SdModelsState = 'ok' | 'no-api' | 'unauthorized' | 'starting' | 'down';

export class A1111Client {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: { timeoutMs?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** `/internal/ping` → `{}`: the web UI is up (its routes mounted). */
  async ping(): Promise<boolean> {
    const res = await this.attempt('GET', '/internal/ping');
    return res?.status === 200;
  }

  /**
   * 'ok' 200, 'no-api' 404 while the UI's own routes answer (started without --api), 'starting' 404 before
   * they exist, 'unauthorized' 401 (--api-auth), 'down' no answer (or not A1111's answer).
   */
  async sdModels(): Promise<{ state: SdModelsState; models: string[] }> {
    const res = await this.attempt('GET', '/sdapi/v1/sd-models');
    if (res?.status === 404) return { state: (await this.ping()) ? 'no-api' : 'starting', models: [] };
    if (res?.status === 401) return { state: 'unauthorized', models: [] };
    const body = res?.status === 200 ? SdModelsSchema().safeParse(res.json) : null;
    if (!body?.success) return { state: 'down', models: [] };
    return { state: 'ok', models: body.data.map((m) => m.title) };
  }

  /** options.sd_model_checkpoint: the checkpoint A1111 uses (null when unknown or not answering). */
  async checkpoint(): Promise<string | null> {
    const res = await this.attempt('GET', '/sdapi/v1/options');
    const body = res?.status === 200 ? OptionsSchema().safeParse(res.json) : null;
    return body?.success && body.data.sd_model_checkpoint ? body.data.sd_model_checkpoint : null;
  }

  /** The generation in progress (`active`: a job runs), null when it does not answer. */
  async progress(): Promise<{ fraction: number; etaSeconds: number | null; active: boolean } | null> {
    // skip_current_image: the preview would be encoded as base64 PNG on every poll otherwise.
    const res = await this.attempt('GET', '/sdapi/v1/progress?skip_current_image=true');
    const body = res?.status === 200 ? ProgressSchema().safeParse(res.json) : null;
    if (!body?.success) return null;
    const active = body.data.state.job_count > 0;
    return {
      fraction: Math.min(1, Math.max(0, body.data.progress)),
      etaSeconds: active ? Math.max(0, body.data.eta_relative) : null,
      active,
    };
  }

  /** `/sdapi/v1/memory` as A1111 sends it (bytes; `cuda.system` is the whole GPU). Throws PROCESS_API_FAILED. */
  async memory(): Promise<unknown> {
    const path = '/sdapi/v1/memory';
    const res = await this.attempt('GET', path);
    if (!res) throw this.failed(path, 'no answer');
    if (res.status !== 200 || res.json === undefined)
      throw this.failed(path, `HTTP ${res.status}${res.json === undefined ? ', not JSON' : ''}`);
    return res.json;
  }

  /** Asks it to stop (needs --api-server-stop); true when it accepted. */
  async serverStop(): Promise<boolean> {
    return (await this.attempt('POST', '/sdapi/v1/server-stop'))?.status === 200;
  }

  /** Frees its VRAM (the model moves to RAM); true when done. */
  async unloadCheckpoint(): Promise<boolean> {
    return (await this.attempt('POST', '/sdapi/v1/unload-checkpoint'))?.status === 200;
  }

  async reloadCheckpoint(): Promise<boolean> {
    return (await this.attempt('POST', '/sdapi/v1/reload-checkpoint'))?.status === 200;
  }

  /** One request: status and JSON body (undefined when not JSON), or null when nothing answered in time. */
  private async attempt(method: string, path: string): Promise<{ status: number; json: unknown } | null> {
    try {
      const res = await localRequest(this.baseUrl + path, { method, timeoutMs: this.timeoutMs });
      const text = res.text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json };
    } catch {
      return null;
    }
  }

  private failed(path: string, reason: string): AppError {
    return new AppError('PROCESS_API_FAILED', {
      params: { component: 'AUTOMATIC1111', url: this.baseUrl + path, reason },
    });
  }
}
