import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../electron/docker/container-exec';
import type { DoctorReport } from '../../../electron/processes/contract';
import type { ProbeTool } from '../../../electron/processes/doctor-causes';
import { runDoctor, type DoctorInput } from '../../../electron/processes/doctor';
import { toolsFromDetection } from '../../../electron/processes/doctor-probe';
import en from '../../../resources/locales/en.json';
import ja from '../../../resources/locales/ja.json';
import captured from '../../fixtures/doctor/probe-outputs.json';

type Case =
  'ok' | 'notFound' | 'unauthorized' | 'refused' | 'resolveNoName' | 'connectTimeout' | 'readTimeout';

/** A real tool output from the fixture (see its `_captured`). */
function real(tool: ProbeTool, c: Case): ExecResult {
  const o = captured.outputs.find((x) => x.tool === tool && x.case === c);
  if (!o) throw new Error(`no capture for ${tool} ${c}`);
  return { exitCode: o.exitCode, stdout: o.stdout, stderr: o.stderr, timedOut: false };
}

const MISSING = (name: string): ExecResult => ({
  exitCode: 126,
  stdout: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${name}": executable file not found in $PATH: unknown\r\n`,
  stderr: '',
  timedOut: false,
});

const TAGS = 'http://host.docker.internal:11434/api/tags';
const SD = 'http://host.docker.internal:7860/sdapi/v1/sd-models';

interface FakeContainer {
  /** What `sh -c <detect>` prints; null: the image has no sh. */
  detect: string | null;
  /** Executables the image has (for direct runs without sh). */
  has?: ProbeTool[];
  /** The answer per URL. */
  answers: Record<string, Case>;
}

/** An exec that answers like the container would; records every command. */
function fakeExec(container: FakeContainer) {
  const calls: { id: string; cmd: string[]; timeoutMs: number }[] = [];
  const exec: DoctorInput['exec'] = async (id, cmd, timeoutMs) => {
    calls.push({ id, cmd, timeoutMs });
    const [bin] = cmd;
    if (bin === 'sh' && cmd[2]?.includes('command -v')) {
      return container.detect === null
        ? MISSING('sh')
        : { exitCode: 0, stdout: container.detect, stderr: '', timedOut: false };
    }
    const tool: ProbeTool =
      bin === 'sh'
        ? 'busybox-wget'
        : bin === 'wget' && container.has?.includes('busybox-wget')
          ? 'busybox-wget'
          : (bin as ProbeTool);
    if (container.detect === null && !(container.has ?? []).includes(tool)) return MISSING(bin!);
    const url = cmd.find((a) => a.startsWith('http'))!;
    const c = container.answers[url];
    if (!c) throw new Error(`unexpected URL ${url}`);
    return real(tool, c);
  };
  return { exec, calls };
}

type Answer = { status: number; body: string } | { error: string };
const REFUSED = { error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1' };

/** The host side: Ollama and A1111 on loopback, as each test sets them. */
function fakeGet(answers: Record<string, Answer>) {
  const asked: string[] = [];
  const get: NonNullable<DoctorInput['get']> = async (url) => {
    asked.push(url);
    return answers[url] ?? REFUSED;
  };
  return { get, asked };
}

const HOST_UP: Record<string, Answer> = {
  'http://127.0.0.1:11434/': { status: 200, body: 'Ollama is running' },
  'http://127.0.0.1:7860/internal/ping': { status: 200, body: '{}' },
  'http://127.0.0.1:7860/sdapi/v1/sd-models': { status: 200, body: '[]' },
};

const API = { id: 'api-id', service: 'api', state: 'running' };
const DAEMON = { id: 'daemon-id', service: 'plugin_daemon', state: 'running' };

function input(overrides: Partial<DoctorInput> & Pick<DoctorInput, 'exec'>): DoctorInput {
  return {
    containers: [API, DAEMON],
    targets: { ollamaUrl: 'http://host.docker.internal:11434', a1111Url: 'http://host.docker.internal:7860' },
    components: ['ollama', 'a1111'],
    local: { ollamaUrl: 'http://127.0.0.1:11434', a1111Url: 'http://127.0.0.1:7860' },
    get: fakeGet(HOST_UP).get,
    platform: 'linux',
    now: () => 1234,
    ...overrides,
  };
}

const check = (report: DoctorReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}: ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};
const verdicts = (report: DoctorReport) =>
  Object.fromEntries(report.checks.map((c) => [c.id, `${c.outcome}${c.cause ? `:${c.cause.key}` : ''}`]));

describe('runDoctor', () => {
  it('passes when everything answers, from the plugin_daemon container (where the model plugins run) with curl', async () => {
    const { exec, calls } = fakeExec({ detect: 'curl\npython3\n', answers: { [TAGS]: 'ok', [SD]: 'ok' } });
    const report = await runDoctor(input({ exec }));
    expect(verdicts(report)).toEqual({
      'ollama.local': 'ok',
      'ollama.tags': 'ok',
      'a1111.ping': 'ok',
      'a1111.localApi': 'ok',
      'a1111.sdModels': 'ok',
    });
    expect(report).toMatchObject({ ok: true, container: 'daemon-id', error: null, finishedAt: 1234 });
    expect(check(report, 'ollama.tags')).toMatchObject({
      from: 'plugin_daemon',
      url: TAGS,
      status: 200,
      tool: 'curl',
      cause: null,
    });
    expect(check(report, 'ollama.local')).toMatchObject({ from: 'host', tool: null, status: 200 });
    expect(check(report, 'ollama.tags').detail).toBe(
      "Dify (plugin_daemon) reaches Ollama's model list: HTTP 200",
    );
    // Tools are looked for once; every exec ran in the plugin_daemon container.
    expect(calls.filter((c) => c.cmd[0] === 'sh')).toHaveLength(1);
    expect(new Set(calls.map((c) => c.id))).toEqual(new Set(['daemon-id']));
    expect(calls[1]!.cmd).toEqual([
      'curl',
      '-v',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      '5',
      TAGS,
    ]);
    expect(calls[1]!.timeoutMs).toBeGreaterThan(5000);
  });

  it('runs in api when plugin_daemon is not running, and in nothing when neither runs', async () => {
    const { exec, calls } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'ok' } });
    const report = await runDoctor(
      input({ exec, components: ['ollama'], containers: [API, { ...DAEMON, state: 'exited' }] }),
    );
    expect(report.container).toBe('api-id');
    expect(check(report, 'ollama.tags').from).toBe('api');
    expect(new Set(calls.map((c) => c.id))).toEqual(new Set(['api-id']));

    const none = await runDoctor(input({ exec, containers: [{ ...API, state: 'exited' }] }));
    expect(none.container).toBeNull();
    expect(none.error).toMatchObject({ code: 'DOCTOR_NO_CONTAINER' });
    expect(verdicts(none)).toMatchObject({
      'ollama.tags': 'skipped:noContainer',
      'a1111.sdModels': 'skipped:noContainer',
      'ollama.local': 'ok',
    });
    // Nothing failed: skipped checks do not make the report fail.
    expect(none.ok).toBe(true);
  });

  it('refused from the container while the host answers → listening on loopback only', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'refused', [SD]: 'refused' } });
    const report = await runDoctor(input({ exec }));
    expect(report.ok).toBe(false);
    expect(verdicts(report)).toMatchObject({
      'ollama.local': 'ok',
      'ollama.tags': 'failed:ollamaLoopbackOnly',
      'a1111.sdModels': 'failed:a1111LoopbackOnly',
    });
    expect(check(report, 'ollama.tags').detail).toContain('OLLAMA_HOST=0.0.0.0:11434');
    expect(check(report, 'ollama.tags').output).toContain('Connection refused');
    expect(check(report, 'a1111.sdModels').detail).toContain('--listen');
  });

  it('refused from both sides → not running', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'refused', [SD]: 'refused' } });
    const report = await runDoctor(input({ exec, get: fakeGet({}).get }));
    expect(verdicts(report)).toEqual({
      'ollama.local': 'failed:notRunning',
      'ollama.tags': 'failed:notRunning',
      'a1111.ping': 'failed:notRunning',
      'a1111.localApi': 'failed:notRunning',
      'a1111.sdModels': 'failed:notRunning',
    });
  });

  it('A1111 without --api: 404 on /sdapi while /internal/ping answers', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [SD]: 'notFound' } });
    const { get } = fakeGet({
      ...HOST_UP,
      'http://127.0.0.1:7860/sdapi/v1/sd-models': { status: 404, body: '{"detail":"Not Found"}' },
    });
    const report = await runDoctor(input({ exec, get, components: ['a1111'] }));
    expect(verdicts(report)).toEqual({
      'a1111.ping': 'ok',
      'a1111.localApi': 'failed:noApi',
      'a1111.sdModels': 'failed:noApi',
    });
    expect(check(report, 'a1111.sdModels').status).toBe(404);
  });

  it('A1111 with --nowebui: no ping, the API answers', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [SD]: 'ok' } });
    const { get } = fakeGet({ ...HOST_UP, 'http://127.0.0.1:7860/internal/ping': { status: 404, body: '' } });
    const report = await runDoctor(input({ exec, get, components: ['a1111'] }));
    expect(verdicts(report)).toEqual({
      'a1111.ping': 'skipped:nowebui',
      'a1111.localApi': 'ok',
      'a1111.sdModels': 'ok',
    });
    expect(report.ok).toBe(true);
  });

  it('the name does not resolve: Linux and Windows fixes differ', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'resolveNoName' } });
    const linux = await runDoctor(input({ exec, components: ['ollama'] }));
    expect(check(linux, 'ollama.tags').cause?.key).toBe('nameNotResolvedLinux');
    expect(check(linux, 'ollama.tags').detail).toContain('host.docker.internal:host-gateway');
    const win = await runDoctor(input({ exec, components: ['ollama'], platform: 'win32' }));
    expect(check(win, 'ollama.tags').cause?.key).toBe('nameNotResolvedDesktop');
  });

  it('the URL Dify uses has another port than where it answers', async () => {
    const url = 'http://host.docker.internal:11435/api/tags';
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [url]: 'refused' } });
    const report = await runDoctor(
      input({
        exec,
        components: ['ollama'],
        targets: { ollamaUrl: 'http://host.docker.internal:11435/', a1111Url: '' },
      }),
    );
    expect(check(report, 'ollama.tags')).toMatchObject({ url, outcome: 'failed' });
    expect(check(report, 'ollama.tags').cause).toMatchObject({
      key: 'wrongPort',
      params: { port: 11435, localPort: 11434 },
    });
  });

  it('timeouts: connect → firewall (Windows wording on win32), read → no response', async () => {
    const { exec } = fakeExec({
      detect: 'curl\n',
      answers: { [TAGS]: 'connectTimeout', [SD]: 'readTimeout' },
    });
    const report = await runDoctor(input({ exec, platform: 'win32' }));
    expect(verdicts(report)).toMatchObject({
      'ollama.tags': 'failed:firewallWindows',
      'a1111.sdModels': 'failed:noResponse',
    });
    expect(check(report, 'ollama.tags').detail).toContain('Windows Defender Firewall');
  });

  it('an image without sh: tries curl, then python3 directly, and keeps the one that exists', async () => {
    const { exec, calls } = fakeExec({
      detect: null,
      has: ['python3'],
      answers: { [TAGS]: 'ok', [SD]: 'unauthorized' },
    });
    const report = await runDoctor(input({ exec }));
    expect(verdicts(report)).toMatchObject({ 'ollama.tags': 'ok', 'a1111.sdModels': 'failed:apiAuth' });
    expect(check(report, 'ollama.tags').tool).toBe('python3');
    expect(calls.map((c) => c.cmd[0])).toEqual(['sh', 'curl', 'python3', 'python3']);
  });

  it('BusyBox wget runs under the sh watchdog; GNU wget gets -T and one try', async () => {
    const busybox = fakeExec({ detect: 'wget\nbusybox\n', answers: { [TAGS]: 'readTimeout' } });
    const r1 = await runDoctor(input({ exec: busybox.exec, components: ['ollama'] }));
    expect(check(r1, 'ollama.tags')).toMatchObject({ tool: 'busybox-wget', outcome: 'failed' });
    expect(check(r1, 'ollama.tags').cause?.key).toBe('firewallOther');
    const probe = busybox.calls[1]!.cmd;
    expect(probe.slice(0, 2)).toEqual(['sh', '-c']);
    expect(probe[2]).not.toContain('-T');
    expect(probe.slice(3)).toEqual(['sh', TAGS, '5']);

    const gnu = fakeExec({ detect: 'wget\n', answers: { [TAGS]: 'notFound' } });
    const r2 = await runDoctor(input({ exec: gnu.exec, components: ['ollama'] }));
    expect(check(r2, 'ollama.tags')).toMatchObject({ tool: 'wget', status: 404 });
    expect(check(r2, 'ollama.tags').cause?.key).toBe('unexpectedStatus');
    expect(gnu.calls[1]!.cmd).toEqual(['wget', '-S', '-O', '/dev/null', '-T', '5', '-t', '1', TAGS]);
  });

  it('no request tool, or exec failing: the container checks are skipped with the reason', async () => {
    const none = fakeExec({ detect: '', answers: {} });
    const r1 = await runDoctor(input({ exec: none.exec }));
    expect(verdicts(r1)).toMatchObject({
      'ollama.tags': 'skipped:noTool',
      'a1111.sdModels': 'skipped:noTool',
    });

    const broken: DoctorInput['exec'] = async () => {
      throw new Error('(HTTP code 409) container is not running');
    };
    const r2 = await runDoctor(input({ exec: broken }));
    expect(check(r2, 'ollama.tags').cause).toMatchObject({
      key: 'execFailed',
      params: { service: 'plugin_daemon', error: '(HTTP code 409) container is not running' },
    });
    expect(r2.ok).toBe(true);
  });

  it('without a local URL the host check is skipped and a refusal names both causes', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'refused' } });
    const { get, asked } = fakeGet(HOST_UP);
    const report = await runDoctor(
      input({ exec, get, components: ['ollama'], local: { ollamaUrl: null, a1111Url: null } }),
    );
    expect(verdicts(report)).toEqual({
      'ollama.local': 'skipped:noLocalUrl',
      'ollama.tags': 'failed:refused',
    });
    expect(asked).toEqual([]);
  });

  it('checks only the components asked for', async () => {
    const { exec, calls } = fakeExec({ detect: 'curl\n', answers: {} });
    const report = await runDoctor(input({ exec, components: [] }));
    expect(report).toMatchObject({ ok: true, checks: [], container: 'daemon-id' });
    expect(calls).toEqual([]);
  });
});

describe('the doctor texts', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
  const flat = (o: object, prefix = ''): Record<string, string> =>
    Object.entries(o).reduce<Record<string, string>>((acc, [k, v]) => {
      if (typeof v === 'string') acc[prefix + k] = v;
      else Object.assign(acc, flat(v as object, `${prefix}${k}.`));
      return acc;
    }, {});

  it('exist in English and Japanese with the same placeholders', () => {
    const e = flat({ causes: en.doctor.causes, checks: en.doctor.checks });
    const j = flat({ causes: ja.doctor.causes, checks: ja.doctor.checks });
    expect(Object.keys(j).sort()).toEqual(Object.keys(e).sort());
    for (const key of Object.keys(e))
      expect([key, placeholders(j[key]!)]).toEqual([key, placeholders(e[key]!)]);
  });

  it('every check id the doctor writes has a title', async () => {
    const { exec } = fakeExec({ detect: 'curl\n', answers: { [TAGS]: 'ok', [SD]: 'ok' } });
    const report = await runDoctor(input({ exec }));
    const titles = flat(en.doctor.checks);
    for (const c of report.checks) expect(titles[c.id], c.id).toBeTruthy();
  });
});

it('toolsFromDetection prefers curl, then python3, then wget (BusyBox told apart)', () => {
  expect(toolsFromDetection('wget\npython3\ncurl\n')).toEqual(['curl', 'python3', 'wget']);
  expect(toolsFromDetection('wget\nbusybox\n')).toEqual(['busybox-wget']);
  expect(toolsFromDetection('')).toEqual([]);
});
