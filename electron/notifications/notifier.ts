/**
 * Decides what to tell the user through the OS's notifications (Windows toasts), from the app's
 * state: the stack's start job, other jobs finishing while the window is hidden, the VRAM alert and
 * the plugin daemon's errors. Each kind has its setting (notifyStack, notifyJobs, notifyVram,
 * notifyPluginErrors) and a target the click opens.
 *
 * Not noisy: one notification per transition — a job when it finishes, the VRAM alert when it turns
 * on, the plugin daemon when unseen errors appear — never again while a state stays. Showing one is
 * main.ts's job (`show`, over Electron's Notification); nothing here imports Electron.
 */
import type { SnapshotReader } from '../core/app-snapshot';
import type { StatusSnapshot } from '../core/contract';
import { hasTranslation, resolveLang, translate, translator, type Lang } from '../core/i18n';
import type { JobSnapshot } from '../core/jobs';
import { errorText, vramGb } from '../core/presentation';
import type { LogsOpenRequest } from '../logs/contract';
import type { SettingsApi } from '../settings/api';
import type { SettingsView } from '../settings/contract';
import { pluginDaemonLogsRequest } from './targets';

export type NotificationKind = 'stackStarted' | 'stackFailed' | 'jobFinished' | 'vram' | 'pluginError';

/** What a click on the notification opens. */
export type NotificationTarget =
  { page: 'dashboard'; jobId: string | null } | { page: 'gpu' } | { page: 'logs'; request: LogsOpenRequest };

export interface AppNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  target: NotificationTarget;
}

export interface NotifierOptions {
  snapshot: SnapshotReader;
  jobs: { onUpdate(listener: (job: JobSnapshot) => void): () => void };
  settings: Pick<SettingsApi, 'get'>;
  systemLocale: string;
  /** Whether the user can see the window now (shown and not minimized). */
  windowVisible(): boolean;
  show(notification: AppNotification): void;
}

/** The job the tray's and the dashboard's Start runs for the whole stack (electron/processes). */
const STACK_START = 'stack.start';
/** A toast's body is a line or two: Windows cuts longer text anyway. */
const MAX_BODY = 200;

export class Notifier {
  private vramAlert: boolean;
  private pluginErrors: boolean;
  /** Jobs already told about: a finished job's snapshot may be sent again. Bounded: only the latest. */
  private readonly told = new Set<string>();
  private readonly unsubscribers: Array<() => void>;

  constructor(private readonly options: NotifierOptions) {
    // What holds already when the app starts was not a transition the user missed.
    const now = options.snapshot.get();
    this.vramAlert = now.gpu?.alert === true;
    this.pluginErrors = (now.logs?.errors ?? 0) > 0;
    this.unsubscribers = [
      options.snapshot.onChange((s) => this.onSnapshot(s)),
      options.jobs.onUpdate((job) => this.onJob(job)),
    ];
  }

  dispose(): void {
    for (const off of this.unsubscribers.splice(0)) off();
  }

  private onSnapshot(snapshot: StatusSnapshot): void {
    const settings = this.options.settings.get().settings;
    const vram = snapshot.gpu?.alert === true;
    const errors = (snapshot.logs?.errors ?? 0) > 0;
    const notes = [
      ...(vram && !this.vramAlert ? vramNotification(this.lang(), snapshot, settings) : []),
      ...(errors && !this.pluginErrors ? pluginErrorNotification(this.lang(), snapshot, settings) : []),
    ];
    this.vramAlert = vram;
    this.pluginErrors = errors;
    for (const n of notes) this.options.show(n);
  }

  private onJob(job: JobSnapshot): void {
    if (job.finishedAt === null || this.told.has(job.id)) return;
    this.told.add(job.id);
    if (this.told.size > 100) this.told.delete(this.told.values().next().value as string);
    const note = jobNotification(this.lang(), job, this.options.settings.get().settings, {
      windowVisible: this.options.windowVisible(),
    });
    if (note) this.options.show(note);
  }

  private lang(): Lang {
    return resolveLang(this.options.settings.get().settings.language, this.options.systemLocale);
  }
}

type Settings = SettingsView['settings'];
type Toggles = Pick<Settings, 'notifyStack' | 'notifyJobs' | 'notifyVram' | 'notifyPluginErrors'>;

/**
 * A finished job: the stack's start always (started from the tray or at login, the window is mostly
 * hidden, and "is my stack up?" is what the user waits for); any other job only while the window is
 * hidden — on screen, the dashboard shows it. A cancelled job was the user's own doing: nothing.
 */
export function jobNotification(
  lang: Lang,
  job: JobSnapshot,
  settings: Toggles,
  view: { windowVisible: boolean },
): AppNotification | null {
  if (job.state !== 'succeeded' && job.state !== 'failed') return null;
  const failed = job.state === 'failed';
  const error = job.error ? errorText(translator(lang), job.error) : '';
  const target: NotificationTarget = { page: 'dashboard', jobId: job.id };
  if (job.kind === STACK_START) {
    if (!settings.notifyStack) return null;
    return failed
      ? {
          kind: 'stackFailed',
          title: translate(lang, 'notifications.stackFailed.title'),
          body: cut(error),
          target,
        }
      : {
          kind: 'stackStarted',
          title: translate(lang, 'notifications.stackStarted.title'),
          body: translate(lang, 'notifications.stackStarted.body'),
          target,
        };
  }
  if (!settings.notifyJobs || view.windowVisible) return null;
  const kindKey = `jobs.kinds.${job.kind}`;
  const name = hasTranslation(kindKey) ? translate(lang, kindKey) : job.kind;
  return {
    kind: 'jobFinished',
    title: translate(lang, failed ? 'notifications.jobFailed.title' : 'notifications.jobSucceeded.title', {
      job: name,
    }),
    body: failed ? cut(error) : translate(lang, 'notifications.jobSucceeded.body'),
    target,
  };
}

/** The VRAM alert turned on: which GPU, how full, and the rule the settings set. */
export function vramNotification(
  lang: Lang,
  snapshot: StatusSnapshot,
  settings: Settings,
): AppNotification[] {
  if (!settings.notifyVram) return [];
  const lines = (snapshot.gpu?.gpus ?? []).flatMap((g) =>
    g.memoryUsed !== null && g.memoryTotal !== null
      ? [
          translate(lang, snapshot.gpu && snapshot.gpu.gpus.length > 1 ? 'tray.vramGpu' : 'tray.vram', {
            index: g.index,
            used: vramGb(g.memoryUsed),
            total: vramGb(g.memoryTotal),
          }),
        ]
      : [],
  );
  return [
    {
      kind: 'vram',
      title: translate(lang, 'notifications.vram.title'),
      body: translate(lang, 'notifications.vram.body', {
        line: lines.join(', ') || 'VRAM',
        percent: settings.vramAlertPercent,
        seconds: settings.vramAlertSeconds,
      }),
      target: { page: 'gpu' },
    },
  ];
}

/** Unseen errors appeared in the plugin daemon's log: the last one, opening the viewer at its line. */
export function pluginErrorNotification(
  lang: Lang,
  snapshot: StatusSnapshot,
  settings: Toggles,
): AppNotification[] {
  if (!settings.notifyPluginErrors) return [];
  const last = snapshot.logs?.last ?? null;
  return [
    {
      kind: 'pluginError',
      title: translate(lang, 'notifications.pluginError.title'),
      body: last ? cut(last.text) : translate(lang, 'notifications.pluginError.body'),
      target: { page: 'logs', request: pluginDaemonLogsRequest(snapshot) },
    },
  ];
}

function cut(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_BODY ? `${one.slice(0, MAX_BODY - 1)}…` : one;
}
