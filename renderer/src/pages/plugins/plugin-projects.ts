import type { JobSnapshotDto } from '../../../../electron/contract';
import type { PluginProjectDto } from '../../../../electron/plugins/contract';

/** Must match electron/plugins/plugin-service.ts REINSTALL_JOB_KIND (kept apart: that file is Node-only). */
export const REINSTALL_JOB_KIND = 'plugins.reinstall';

export type VersionState = 'invalid' | 'unknown' | 'notInstalled' | 'remote' | 'same' | 'different';

/**
 * Local folder vs what Dify has installed; 'unknown' when Dify could not be asked, 'remote' when what
 * Dify runs is a remote-debug session (this folder's code, or another machine's), not a package.
 */
export function versionState(project: PluginProjectDto, difyAnswered: boolean): VersionState {
  if (!project.manifest) return 'invalid';
  if (!difyAnswered) return 'unknown';
  if (!project.installed) return 'notInstalled';
  if (project.installed.source === 'remote') return 'remote';
  return project.installed.version === project.manifest.version ? 'same' : 'different';
}

/** The manifest label in the window's language (Dify's locale keys), else English, else the name. */
export function pluginLabel(project: PluginProjectDto, lang: string): string {
  const m = project.manifest;
  if (!m) return project.dir.split(/[\\/]/).filter(Boolean).pop() ?? project.dir;
  const key = lang.startsWith('ja') ? 'ja_JP' : 'en_US';
  return m.label[key] || m.label.en_US || m.name;
}

/** The newest reinstall job (running ones first), for the page's job panel. */
export function latestReinstallJob(jobs: readonly JobSnapshotDto[]): JobSnapshotDto | null {
  const mine = jobs.filter((j) => j.kind === REINSTALL_JOB_KIND);
  const active = mine.find((j) => j.finishedAt === null);
  if (active) return active;
  return mine.reduce<JobSnapshotDto | null>((a, j) => (!a || j.createdAt > a.createdAt ? j : a), null);
}

/** Whether any reinstall is queued or running (buttons wait; the job queue would serialize anyway). */
export function reinstallRunning(jobs: readonly JobSnapshotDto[]): boolean {
  return jobs.some((j) => j.kind === REINSTALL_JOB_KIND && j.finishedAt === null);
}
