import { describe, expect, it } from 'vitest';
import type {
  ComponentStatus,
  JobSnapshotDto,
  ProcessInfo,
  ServiceStatus,
  StatusSnapshot,
} from '../../../electron/contract';
import { SettingsSchema } from '../../../electron/settings/schema';
import {
  a1111ApiState,
  a1111PhaseKey,
  cardControls,
  crashReport,
  formatGigabytes,
  inStackOrder,
  isA1111Busy,
  ownerKey,
  processControls,
  progressPercent,
  setupProblem,
  stackMembers,
  vramShare,
  wholeStackControls,
  type WholeStackInput,
} from '../../../renderer/src/lib/processes';

const settings = (over: Partial<ReturnType<typeof SettingsSchema.parse>> = {}) =>
  SettingsSchema.parse({ difyDir: 'D:\\dify\\docker', a1111Dir: 'D:\\sd', ...over });

const proc = (over: Partial<ProcessInfo> = {}): ProcessInfo => ({
  owner: 'app',
  pid: 10,
  startable: true,
  restarts: 0,
  lastExitCode: null,
  lastLines: [],
  logFile: null,
  ...over,
});

const service = (name: string, state = 'running'): ServiceStatus => ({
  name,
  state,
  health: null,
  containerId: `${name}-id`,
  oneShot: false,
  exitCode: state === 'exited' ? 0 : null,
});

const docker = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'docker',
  state: 'running',
  detail: '',
  reason: null,
  error: null,
  ...over,
});
const dify = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'dify',
  state: 'running',
  detail: '',
  reason: null,
  error: null,
  services: [service('api'), service('worker')],
  ...over,
});
const difyStopped = () =>
  dify({ state: 'stopped', services: [service('api', 'exited'), service('worker', 'exited')] });
const ollama = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'ollama',
  state: 'running',
  detail: '',
  reason: null,
  error: null,
  process: proc(),
  ...over,
});
const a1111 = (over: Partial<ComponentStatus> = {}): ComponentStatus => ({
  id: 'a1111',
  state: 'running',
  detail: '',
  reason: null,
  error: null,
  process: proc(),
  a1111: {
    url: 'http://127.0.0.1:7860',
    phase: 'ready',
    phaseLine: null,
    api: true,
    checkpoint: 'v1-5-pruned-emaonly.safetensors',
    progress: null,
  },
  ...over,
});

const snap = (...components: ComponentStatus[]): StatusSnapshot => ({
  components,
  project: { dir: 'D:\\dify\\docker', name: 'docker', composeVersion: null },
  plugins: { folders: [] },
  gpu: null,
  logs: null,
  updatedAt: 1,
});

const runningJob: JobSnapshotDto = {
  id: 'j1',
  kind: 'components.start',
  resource: 'stack',
  state: 'running',
  step: null,
  progress: null,
  outputLines: 0,
  error: null,
  createdAt: 1,
  startedAt: 1,
  finishedAt: null,
};

const input = (snapshot: StatusSnapshot, over: Partial<WholeStackInput> = {}): WholeStackInput => ({
  snapshot,
  jobs: [],
  platform: 'linux',
  settings: settings(),
  ...over,
});

describe('stack order and sizes', () => {
  it('orders the components the way Start walks them', () => {
    expect(inStackOrder([dify(), a1111(), docker(), ollama()]).map((c) => c.id)).toEqual([
      'docker',
      'ollama',
      'a1111',
      'dify',
    ]);
  });

  it.each([
    [13_000_000_000, 'en', '13.0'],
    [12_851_000_000, 'en', '12.9'],
    [815_000_000, 'ja', '0.8'],
    [1_234_500_000_000, 'en', '1,234.5'],
    [-5, 'en', '0.0'],
  ])('%d bytes → %s GB (%s)', (bytes, locale, text) => {
    expect(formatGigabytes(bytes, locale)).toBe(text);
  });

  it('gives the VRAM share of a loaded model, never "100 %" when part of it runs on the CPU', () => {
    expect(vramShare({ size: 14e9, sizeVram: 14e9 })).toEqual({ percent: 100, partlyOnCpu: false });
    expect(vramShare({ size: 14e9, sizeVram: 7e9 })).toEqual({ percent: 50, partlyOnCpu: true });
    expect(vramShare({ size: 1000, sizeVram: 999 })).toEqual({ percent: 99, partlyOnCpu: true });
    expect(vramShare({ size: 14e9, sizeVram: 0 })).toEqual({ percent: 0, partlyOnCpu: true });
    expect(vramShare({ size: 0, sizeVram: 0 })).toBeNull();
  });

  it('clamps a generation’s progress to 0–100', () => {
    expect([progressPercent(0.424), progressPercent(1.2), progressPercent(-1), progressPercent(NaN)]).toEqual(
      [42, 100, 0, 0],
    );
  });
});

describe('owner, phase and API', () => {
  it('names who owns a server', () => {
    expect(ownerKey('desktop-app')).toBe('desktopApp');
    expect(ownerKey('cli')).toBe('cli');
    expect(ownerKey(null)).toBeNull();
  });

  it('knows which A1111 phases are busy', () => {
    expect(isA1111Busy('installing')).toBe(true);
    expect(isA1111Busy('loading-model')).toBe(true);
    expect(isA1111Busy('ready')).toBe(false);
    expect(isA1111Busy('stopped')).toBe(false);
    expect(a1111PhaseKey('loading-model')).toBe('loadingModel');
  });

  it('reports the API off only when A1111 is ready without it', () => {
    const info = a1111().a1111!;
    expect(a1111ApiState(a1111())).toBe('on');
    expect(a1111ApiState(a1111({ a1111: { ...info, api: false } }))).toBe('off');
    expect(a1111ApiState(a1111({ a1111: { ...info, api: false, phase: 'launching' } }))).toBe('waiting');
    expect(a1111ApiState(a1111({ a1111: { ...info, api: false, phase: 'stopped' } }))).toBeNull();
    expect(a1111ApiState(ollama())).toBeNull();
  });
});

describe('crashReport', () => {
  it('reports a non-zero exit with its last lines', () => {
    const c = ollama({ state: 'error', process: proc({ lastExitCode: 3, lastLines: ['a', 'b'] }) });
    expect(crashReport(c)).toEqual({ exitCode: 3, lines: ['a', 'b'] });
  });

  it('keeps the last crash visible after an automatic restart', () => {
    const c = ollama({
      process: proc({ restarts: 1, lastExitCode: 1, lastLines: ['bind: address in use'] }),
    });
    expect(crashReport(c)?.exitCode).toBe(1);
  });

  it('is quiet after a clean stop, and without a process', () => {
    expect(crashReport(ollama({ state: 'stopped', process: proc({ lastExitCode: 0 }) }))).toBeNull();
    expect(crashReport(ollama({ process: undefined }))).toBeNull();
    expect(crashReport(ollama({ state: 'error', process: proc() }))).toBeNull();
  });
});

describe('setupProblem', () => {
  it('A1111 without a folder is not configured, unless it runs anyway', () => {
    expect(setupProblem(a1111({ state: 'unavailable' }), settings({ a1111Dir: '  ' }))).toBe('notConfigured');
    expect(setupProblem(a1111(), settings({ a1111Dir: '' }))).toBeNull();
  });

  it('Ollama not installed and no path given is not configured; with a wrong path it needs a fix', () => {
    const missing = ollama({
      state: 'unavailable',
      error: { code: 'OLLAMA_NOT_FOUND', message: 'x' },
      process: proc({ owner: null, pid: null, startable: false }),
    });
    expect(setupProblem(missing, settings())).toBe('notConfigured');
    expect(setupProblem(missing, settings({ ollamaPath: 'D:\\ollama.exe' }))).toBe('fix');
  });

  it('main’s COMPONENT_NOT_CONFIGURED and A1111’s folder errors', () => {
    const err = (code: string) => ({ code, message: code });
    expect(
      setupProblem(ollama({ state: 'unavailable', error: err('COMPONENT_NOT_CONFIGURED') }), settings()),
    ).toBe('notConfigured');
    expect(setupProblem(a1111({ state: 'error', error: err('A1111_LAUNCHER_MISSING') }), settings())).toBe(
      'fix',
    );
    expect(setupProblem(a1111({ state: 'error', error: err('PROCESS_EXITED') }), settings())).toBeNull();
    expect(setupProblem(dify({ error: err('COMPONENT_NOT_CONFIGURED') }), settings())).toBeNull();
  });
});

describe('card controls', () => {
  it('offers Start to a stopped program and Stop to a running one', () => {
    expect(processControls(ollama({ state: 'stopped' }), false)).toEqual({
      canStart: true,
      canStop: false,
      stopHint: null,
    });
    expect(processControls(ollama(), false)).toEqual({ canStart: false, canStop: true, stopHint: null });
    expect(processControls(a1111({ state: 'starting' }), false)).toMatchObject({
      canStart: false,
      canStop: true,
    });
    expect(processControls(ollama({ state: 'error' }), false)).toMatchObject({
      canStart: true,
      canStop: true,
    });
  });

  it('leaves a server started outside the app alone, and says why', () => {
    expect(processControls(ollama({ process: proc({ owner: 'external' }) }), false)).toEqual({
      canStart: false,
      canStop: false,
      stopHint: 'external',
    });
  });

  it('offers nothing while a job runs, or what cannot be started', () => {
    expect(processControls(ollama({ state: 'stopped' }), true)).toMatchObject({ canStart: false });
    expect(
      processControls(ollama({ state: 'stopped', process: proc({ startable: false }) }), false).canStart,
    ).toBe(false);
  });

  it('has no buttons for the engine or for a component not set up; Dify follows the stack rules', () => {
    const s = snap(docker(), dify());
    expect(cardControls(docker(), input(s))).toBeNull();
    expect(
      cardControls(a1111({ state: 'unavailable' }), input(s, { settings: settings({ a1111Dir: '' }) })),
    ).toBeNull();
    expect(cardControls(dify(), input(s))).toEqual({ canStart: false, canStop: true, stopHint: null });
    expect(cardControls(difyStopped(), input(snap(docker(), difyStopped())))).toMatchObject({
      canStart: true,
      canStop: false,
    });
  });
});

describe('the whole stack', () => {
  it('is every set-up component, or the ones the settings name (Dify brings its engine)', () => {
    const s = snap(docker(), dify(), ollama(), a1111({ state: 'unavailable' }));
    expect(stackMembers(s, settings({ a1111Dir: '' })).map((c) => c.id)).toEqual([
      'docker',
      'ollama',
      'dify',
    ]);
    expect(stackMembers(s, settings({ stackComponents: ['dify'] })).map((c) => c.id)).toEqual([
      'docker',
      'dify',
    ]);
    expect(stackMembers(s, settings({ stackComponents: ['ollama'] })).map((c) => c.id)).toEqual(['ollama']);
  });

  it('Start while a member is down, Stop while one runs', () => {
    const all = snap(docker(), dify(), ollama(), a1111());
    expect(wholeStackControls(input(all))).toEqual({ busy: false, canStart: false, canStop: true });
    const ollamaDown = snap(docker(), dify(), ollama({ state: 'stopped' }), a1111());
    expect(wholeStackControls(input(ollamaDown)).canStart).toBe(true);
    const allDown = snap(docker(), difyStopped(), ollama({ state: 'stopped' }), a1111({ state: 'stopped' }));
    expect(wholeStackControls(input(allDown))).toEqual({ busy: false, canStart: true, canStop: false });
  });

  it('ignores what is not part of the stack', () => {
    const s = snap(docker(), dify(), ollama({ state: 'stopped' }));
    expect(wholeStackControls(input(s, { settings: settings({ stackComponents: ['dify'] }) })).canStart).toBe(
      false,
    );
    const external = snap(docker(), difyStopped(), ollama({ process: proc({ owner: 'external' }) }));
    expect(wholeStackControls(input(external)).canStop).toBe(false);
  });

  it('never starts a Dify the user has not chosen, but a stack without Dify still starts', () => {
    const ambiguous = dify({
      state: 'unavailable',
      error: { code: 'DIFY_DIR_AMBIGUOUS', message: 'x' },
      services: [],
    });
    const s = { ...snap(docker(), ambiguous, ollama({ state: 'stopped' })), project: null };
    expect(wholeStackControls(input(s, { settings: settings({ difyDir: '' }) })).canStart).toBe(false);
    expect(
      wholeStackControls(input(s, { settings: settings({ difyDir: '', stackComponents: ['ollama'] }) }))
        .canStart,
    ).toBe(true);
  });

  it('Docker down: Start only where it launches Docker Desktop (Windows)', () => {
    const down = snap(docker({ state: 'unavailable' }), dify({ state: 'unavailable', services: [] }));
    expect(wholeStackControls(input(down)).canStart).toBe(false);
    expect(wholeStackControls(input(down, { platform: 'win32' })).canStart).toBe(true);
  });

  it('nothing while a job runs or before the first snapshot', () => {
    const s = snap(docker(), difyStopped());
    expect(wholeStackControls(input(s, { jobs: [runningJob] }))).toEqual({
      busy: true,
      canStart: false,
      canStop: false,
    });
    expect(wholeStackControls(input(s, { snapshot: null })).canStart).toBe(false);
  });
});
