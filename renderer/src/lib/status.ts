import type {
  ComponentId,
  ComponentStatus,
  JobSnapshotDto,
  StatusSnapshot,
} from '../../../electron/contract';
import { hasActiveJob } from './jobs';

export function findComponent(snapshot: StatusSnapshot | null, id: ComponentId): ComponentStatus | null {
  return snapshot?.components.find((c) => c.id === id) ?? null;
}

/** Problems that block the stack as a whole; each gets a callout on the dashboard saying what to do. */
export type DashboardProblem = 'dockerDown' | 'difyDirNotSet' | 'difyDirAmbiguous';

/** Error codes that a dashboard problem already explains; cards do not repeat them. */
export const PROBLEM_ERROR_CODES: Record<DashboardProblem, readonly string[]> = {
  dockerDown: ['DOCKER_NOT_RUNNING', 'DOCKER_NOT_INSTALLED'],
  difyDirNotSet: ['DIFY_DIR_NOT_SET'],
  difyDirAmbiguous: ['DIFY_DIR_AMBIGUOUS'],
};

export function isDockerDown(snapshot: StatusSnapshot | null): boolean {
  return findComponent(snapshot, 'docker')?.state === 'unavailable';
}

/**
 * No Dify folder: neither configured nor known to the stack (which may have found one from running
 * containers' labels — then the folder is effectively set).
 */
export function isDifyDirMissing(snapshot: StatusSnapshot | null, configuredDir: string | null): boolean {
  const code = findComponent(snapshot, 'dify')?.error?.code;
  if (code === 'DIFY_DIR_NOT_SET' || code === 'DIFY_DIR_AMBIGUOUS') return true;
  return (
    configuredDir !== null && configuredDir.trim() === '' && snapshot !== null && snapshot.project === null
  );
}

export function dashboardProblems(
  snapshot: StatusSnapshot | null,
  configuredDir: string | null,
): DashboardProblem[] {
  const problems: DashboardProblem[] = [];
  if (isDockerDown(snapshot)) problems.push('dockerDown');
  // Several Difys and no folder: the stack acts on none of them until the user picks one.
  if (findComponent(snapshot, 'dify')?.error?.code === 'DIFY_DIR_AMBIGUOUS')
    problems.push('difyDirAmbiguous');
  else if (isDifyDirMissing(snapshot, configuredDir)) problems.push('difyDirNotSet');
  return problems;
}

/** The dashboard problem that already explains the component's error, if any. */
export function coveringProblem(
  component: ComponentStatus,
  problems: readonly DashboardProblem[],
): DashboardProblem | null {
  const code = component.error?.code;
  if (code === undefined) return null;
  return problems.find((p) => PROBLEM_ERROR_CODES[p].includes(code)) ?? null;
}

const ACTIVE_SERVICE_STATES = new Set(['running', 'restarting', 'paused']);

export interface StackControls {
  busy: boolean;
  canStart: boolean;
  canStop: boolean;
  canRestartService: boolean;
}

/**
 * Which stack buttons make sense now. Only one operation runs at a time. On Windows, starting the stack
 * also starts Docker Desktop, so Start stays available while the engine is down; elsewhere the user
 * has to start the engine first.
 */
export function stackControls(input: {
  snapshot: StatusSnapshot | null;
  jobs: readonly JobSnapshotDto[];
  platform: string | null;
  configuredDir: string | null;
}): StackControls {
  const { snapshot, jobs, platform, configuredDir } = input;
  const busy = hasActiveJob(jobs);
  if (!snapshot) return { busy, canStart: false, canStop: false, canRestartService: false };
  const dockerDown = isDockerDown(snapshot);
  const dirMissing = isDifyDirMissing(snapshot, configuredDir);
  const dify = findComponent(snapshot, 'dify');
  const anyActive = (dify?.services ?? []).some((s) => ACTIVE_SERVICE_STATES.has(s.state));
  return {
    busy,
    canStart: !busy && !dirMissing && (!dockerDown || platform === 'win32') && dify?.state !== 'running',
    canStop: !busy && !dockerDown && !dirMissing && anyActive,
    canRestartService: !busy && !dockerDown && !dirMissing,
  };
}

/** Docker's own short form of a container id. */
export function shortContainerId(id: string): string {
  return id.slice(0, 12);
}

// The service-state rules (the "completed" one-shot rule, tones) are shared with the tray and the CLI.
export {
  COMPONENT_TONE,
  componentStateKey,
  SERVICE_STATES,
  serviceStateKey,
  serviceTone,
  type ServiceStateKey,
  type Tone,
} from '../../../electron/core/presentation';
