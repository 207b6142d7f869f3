/**
 * "Export diagnostics": one zip a user can attach to a bug report, with nothing secret in it.
 *
 *   README.txt      what is inside, and that secrets were removed
 *   versions.json   the app, its runtime (Electron/Chrome/Node, or "cli"), Docker engine + API, Compose
 *                   (v1/v2), the Dify images per service, Ollama, AUTOMATIC1111, the NVIDIA driver and GPU
 *   settings.json   the settings, redacted (secret-named values, URL passwords, A1111 credentials; the
 *                   e-mail's local part) — paths kept, as they are what a diagnosis needs
 *   status.json     the app snapshot, freshly read
 *   doctor.json     the connectivity doctor's last results; run once now when there are none (the
 *                   snapshot says what runs, the doctor says whether Dify's containers reach it)
 *   app-logs/…      the app's and the CLI's own logs, every generation, redacted again on the way in
 *
 * Every item that cannot be read is recorded as `{error, message}`: an export never fails because
 * Docker or Ollama is down — only when the zip itself cannot be written. Everything passes through
 * core/redact.ts, also what the services wrote (an error detail may quote a request).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AppLogLike } from '../core/app-log';
import type { StatusSnapshot } from '../core/contract';
import { AppError, messageOf } from '../core/errors';
import type { JobHandle, JobManager } from '../core/jobs';
import { redactText, redactValue } from '../core/redact';
import type { DoctorReport } from '../processes/contract';
import type { SettingsView } from '../settings/contract';
import type { DiagnosticsApi, ExportResult } from './api';
import { writeZip, type ZipEntry } from './diagnostics-zip';
import {
  VERSION_ITEMS,
  isUnavailable,
  runtimeVersions,
  settleItem,
  unavailable,
  type VersionProbes,
} from './version-probes';

export interface DiagnosticsServiceOptions {
  jobs: JobManager;
  log: AppLogLike;
  /** The folder of the app's (`app.log`) and the CLI's (`cli.log`) logs. */
  logDir: string;
  program: 'app' | 'cli';
  appVersion: string;
  settings: () => SettingsView;
  /** A fresh read of the app snapshot (the stack and the processes looked at now). */
  status: () => Promise<StatusSnapshot>;
  doctor: { last(): DoctorReport | null; run(): Promise<DoctorReport> };
  probes: VersionProbes;
  /** Per probe (default 15 s); the doctor gets four times as long. */
  probeTimeoutMs?: number;
  now?: () => Date;
}

/** The app's and the CLI's logs and their rotated generations (core/app-log.ts names them). */
const APP_LOG_FILE = /^(app|cli)(\.\d+)?\.log$/;
/** Export jobs whose file the window may still reveal. */
const REMEMBERED_EXPORTS = 20;

export class DiagnosticsService implements DiagnosticsApi {
  readonly log: AppLogLike;
  private readonly exported = new Map<string, string>();

  constructor(private readonly options: DiagnosticsServiceOptions) {
    this.log = options.log;
  }

  logDir(): string {
    return this.options.logDir;
  }

  exportedFile(jobId: string): string | null {
    return this.exported.get(jobId) ?? null;
  }

  exportTo(file: string): JobHandle<ExportResult> {
    const target = path.resolve(file);
    const handle = this.options.jobs.start(
      { kind: 'diagnostics.export', resource: 'diagnostics' },
      async (ctx) => {
        this.log.info('diagnostics.export.started', { job: ctx.id });
        const entries = await this.collect((key, fraction) => {
          ctx.throwIfCancelled();
          ctx.step(`diagnostics.steps.${key}`);
          ctx.progress(fraction);
        }, ctx.signal);
        ctx.throwIfCancelled();
        ctx.step('diagnostics.steps.write');
        ctx.progress(0.9);
        try {
          await writeZip(target, entries.entries, ctx.signal);
        } catch (e) {
          if (ctx.signal.aborted) throw new AppError('CANCELLED');
          throw new AppError('DIAGNOSTICS_WRITE_FAILED', { params: { path: target }, detail: messageOf(e) });
        }
        this.exported.set(ctx.id, target);
        for (const old of [...this.exported.keys()].slice(0, -REMEMBERED_EXPORTS)) this.exported.delete(old);
        this.log.info('diagnostics.export.written', { job: ctx.id, entries: entries.entries.length });
        return {
          path: target,
          entries: entries.entries.map((e) => e.name),
          unavailable: entries.unavailable,
        };
      },
    );
    return handle;
  }

  /** Every entry of the zip, in the order they are written. Exported for tests (injected probes). */
  async collect(
    step: (key: 'status' | 'versions' | 'doctor' | 'logs', fraction: number) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<{ entries: ZipEntry[]; unavailable: string[] }> {
    const o = this.options;
    const timeout = o.probeTimeoutMs ?? 15_000;
    const missing: string[] = [];
    const json = (name: string, value: unknown): ZipEntry => {
      if (isUnavailable(value)) missing.push(name);
      return { name, text: `${JSON.stringify(redactValue(value), null, 2)}\n` };
    };

    step('status', 0.05);
    const status = await settleItem(() => o.status(), timeout, signal);

    step('versions', 0.25);
    const probed = await Promise.all(
      VERSION_ITEMS.map((item) => settleItem(() => o.probes[item](), timeout, signal)),
    );
    const versions: Record<string, unknown> = {
      app: { name: 'Dify Stack Tray', version: o.appVersion, program: o.program },
      runtime: runtimeVersions(),
    };
    VERSION_ITEMS.forEach((item, i) => {
      versions[item] = probed[i];
      if (isUnavailable(probed[i])) missing.push(`versions.json#${item}`);
    });

    step('doctor', 0.5);
    const last = o.doctor.last();
    const doctor = last
      ? { source: 'last', report: last }
      : await settleItem(
          async () => ({ source: 'run-for-export', report: await o.doctor.run() }),
          timeout * 4,
          signal,
        );

    step('logs', 0.75);
    await this.log.flush();
    const logs = await this.logEntries();

    const settings = settleSync(() => settingsForExport(o.settings()));
    const entries: ZipEntry[] = [
      json('versions.json', versions),
      json('settings.json', settings),
      json('status.json', status),
      json('doctor.json', doctor),
      ...logs,
    ];
    missing.sort();
    return {
      entries: [{ name: 'README.txt', text: readme(o.now?.() ?? new Date(), entries, missing) }, ...entries],
      unavailable: missing,
    };
  }

  private async logEntries(): Promise<ZipEntry[]> {
    const names = await fs.readdir(this.options.logDir).catch(() => [] as string[]);
    const logs = names.filter((n) => APP_LOG_FILE.test(n)).sort(byGeneration);
    const entries: ZipEntry[] = [];
    for (const name of logs) {
      const text = await fs.readFile(path.join(this.options.logDir, name), 'utf8').catch(() => null);
      // Lines are redacted when written; again here for lines an older app wrote.
      if (text !== null) entries.push({ name: `app-logs/${name}`, text: redactText(text) });
    }
    return entries;
  }
}

/** The settings as shared: redacted, and the Dify account's e-mail reduced to its domain. */
export function settingsForExport(view: SettingsView): unknown {
  const { settings } = view;
  const email = settings.difyEmail ? settings.difyEmail.replace(/^[^@]*/, '***') : '';
  return redactValue({ file: view.path, warning: view.warning, settings: { ...settings, difyEmail: email } });
}

function settleSync(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (e) {
    return unavailable(e);
  }
}

/** app.log, app.1.log … by program, then oldest generation first (the order they were written). */
function byGeneration(a: string, b: string): number {
  const key = (n: string): [string, number] => {
    const m = APP_LOG_FILE.exec(n);
    return [m?.[1] ?? n, m?.[2] ? -Number(m[2].slice(1)) : 0];
  };
  const [pa, ga] = key(a);
  const [pb, gb] = key(b);
  return pa === pb ? ga - gb : pa < pb ? -1 : 1;
}

function readme(at: Date, entries: readonly ZipEntry[], missing: readonly string[]): string {
  const lines = [
    'Dify Stack Tray: diagnostics',
    `Made ${at.toISOString()}.`,
    '',
    'Secrets were removed before anything was written here: passwords (also the base64 form Dify',
    'sends), tokens and cookies, Authorization headers, passwords in URLs, A1111 --api-auth, and the',
    'values of secret-looking settings and .env keys (SECRET_KEY, *_PASSWORD, *_TOKEN, *_KEY…) are',
    'shown as [REDACTED]; the Dify account e-mail keeps only its domain. Paths are kept.',
    '',
    'Contents:',
    '  versions.json   app, Electron/Chrome/Node (or "cli"), Docker engine and API, Compose (v1/v2),',
    '                  Dify images per service, Ollama, AUTOMATIC1111, NVIDIA driver and GPU',
    '  settings.json   the settings file, redacted',
    '  status.json     the app status snapshot (Docker, Dify services, Ollama, A1111, GPU)',
    '  doctor.json     the connectivity doctor: its last results, or a run made for this export',
    "  app-logs/       the app's own log (app.log) and the CLI's (cli.log), with rotated files",
    '',
    `Files: ${entries.map((e) => e.name).join(', ')}`,
    '',
    missing.length === 0
      ? 'Every item could be read.'
      : `Could not be read (recorded as {"error", "message"}): ${missing.join(', ')}`,
    '',
  ];
  return lines.join('\n');
}
