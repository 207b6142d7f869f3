import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../../electron/docker/container-exec';
import {
  containerCause,
  hostCause,
  hostState,
  readHostError,
  readProbe,
  type ContainerVerdictInput,
  type Observation,
  type ProbeTool,
} from '../../../electron/processes/doctor-causes';
import captured from '../../fixtures/doctor/probe-outputs.json';

interface Captured {
  case: string;
  tool: ProbeTool;
  exitCode: number;
  stdout: string;
  stderr: string;
}

const outputs = captured.outputs as Captured[];

const http = (status: number): Observation => ({ kind: 'http', status });
const net = (failure: Extract<Observation, { kind: 'network' }>['failure']): Observation => ({
  kind: 'network',
  failure,
});

/** What each captured case must read as; BusyBox's wget says nothing about the phase of a timeout. */
function expected(c: Captured): Observation {
  switch (c.case) {
    case 'ok':
      return http(200);
    case 'notFound':
      return http(404);
    case 'unauthorized':
      return http(401);
    case 'refused':
      return net('refused');
    case 'resolveAgain':
    case 'resolveNoName':
      return net('resolve');
    case 'noRoute':
    case 'netUnreachable':
      return net('unreachable');
    case 'connectTimeout':
      return net(c.tool === 'busybox-wget' ? 'timeout' : 'connectTimeout');
    case 'readTimeout':
      return net(c.tool === 'busybox-wget' ? 'timeout' : 'readTimeout');
    default:
      throw new Error(`no expectation for ${c.case}`);
  }
}

const exec = (c: Pick<Captured, 'exitCode' | 'stdout' | 'stderr'>): ExecResult => ({
  exitCode: c.exitCode,
  stdout: c.stdout,
  stderr: c.stderr,
  timedOut: false,
});

describe('readProbe: the real outputs of curl, GNU wget, BusyBox wget and python3 urllib', () => {
  it('covers every tool and case', () => {
    const tools = new Set(outputs.map((o) => o.tool));
    expect([...tools].sort()).toEqual(['busybox-wget', 'curl', 'python3', 'wget']);
    for (const tool of tools) expect(outputs.filter((o) => o.tool === tool)).toHaveLength(10);
  });

  it.each(outputs.map((o) => [o.tool, o.case, o] as const))('%s %s', (tool, _case, o) => {
    expect(readProbe(tool, exec(o))).toEqual(expected(o));
  });
});

describe('readProbe: the engine and the tools failing', () => {
  it.each([
    {
      what: 'the executable is not in the image (dockerd 20.10 exec: exit 126, text on stdout)',
      r: {
        exitCode: 126,
        stdout:
          'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\r\n',
        stderr: '',
      },
      want: { kind: 'toolMissing' },
    },
    {
      what: 'an absolute path that does not exist',
      r: {
        exitCode: 126,
        stdout:
          'OCI runtime exec failed: exec failed: unable to start container process: exec: "/nonexistent/sh": stat /nonexistent/sh: no such file or directory: unknown\r\n',
        stderr: '',
      },
      want: { kind: 'toolMissing' },
    },
    {
      what: "BusyBox 1.35's wget -T crashes (exit 139, no output)",
      r: { exitCode: 139, stdout: '', stderr: '' },
      want: { kind: 'unknown' },
    },
    {
      what: 'curl 7.88 without -v: only the exit code tells a refusal',
      r: {
        exitCode: 7,
        stdout: '000',
        stderr:
          "curl: (7) Failed to connect to host.docker.internal port 7860 after 2 ms: Couldn't connect to server\n",
      },
      want: { kind: 'network', failure: 'refused' },
    },
  ] as const)('$what', ({ r, want }) => {
    expect(readProbe('curl', exec(r))).toEqual(want);
  });

  it('our own deadline (the exec was abandoned) is a timeout', () => {
    expect(readProbe('python3', { exitCode: null, stdout: '', stderr: '', timedOut: true })).toEqual(
      net('timeout'),
    );
  });
});

describe('readHostError: what our own GET reports', () => {
  it.each([
    // fetch's cause as doctor.ts's default GET joins it (seen with Node 20).
    ['ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:18099', 'refused'],
    ['TimeoutError: The operation was aborted due to timeout', 'timeout'],
    // httpProbe (electron/processes/http-probe.ts) keeps only the code or the error's name.
    ['ECONNREFUSED', 'refused'],
    ['TimeoutError', 'timeout'],
    ['ENOTFOUND: getaddrinfo ENOTFOUND nohost', 'resolve'],
    ['ECONNRESET: read ECONNRESET', 'reset'],
    ['TypeError: bad port', null],
  ] as const)('%s → %s', (error, want) => {
    expect(readHostError(error)).toBe(want);
  });
});

const base: ContainerVerdictInput = {
  component: 'ollama',
  observation: http(200),
  targetUrl: 'http://host.docker.internal:11434/api/tags',
  host: { url: 'http://127.0.0.1:11434', state: 'answers' },
  platform: 'linux',
  service: 'api',
  timeoutSeconds: 5,
};

describe('containerCause: the verdict table', () => {
  const A1111 = {
    component: 'a1111',
    targetUrl: 'http://host.docker.internal:7860/sdapi/v1/sd-models',
    host: { url: 'http://127.0.0.1:7860', state: 'answers' },
  } as const;

  it.each<[string, Partial<ContainerVerdictInput>, string | null]>([
    ['HTTP 200 passes', {}, null],
    [
      'localhost in the URL is the container itself',
      { targetUrl: 'http://localhost:11434/api/tags', observation: net('refused') },
      'loopbackUrl',
    ],
    [
      '127.0.0.1 too',
      { targetUrl: 'http://127.0.0.1:11434/api/tags', observation: net('refused') },
      'loopbackUrl',
    ],
    [
      'name does not resolve on Linux → extra_hosts host-gateway',
      { observation: net('resolve') },
      'nameNotResolvedLinux',
    ],
    [
      '… on Windows → Docker Desktop provides it',
      { observation: net('resolve'), platform: 'win32' },
      'nameNotResolvedDesktop',
    ],
    [
      '… on macOS → Docker Desktop provides it',
      { observation: net('resolve'), platform: 'darwin' },
      'nameNotResolvedDesktop',
    ],
    [
      'another name that does not resolve',
      { targetUrl: 'http://gpu-box.lan:11434/api/tags', observation: net('resolve') },
      'nameNotResolved',
    ],
    [
      'refused while the host answers → loopback only (Ollama)',
      { observation: net('refused') },
      'ollamaLoopbackOnly',
    ],
    ['reset while the host answers → loopback only', { observation: net('reset') }, 'ollamaLoopbackOnly'],
    [
      'refused while the host answers → loopback only (A1111)',
      { ...A1111, observation: net('refused') },
      'a1111LoopbackOnly',
    ],
    [
      'refused and the host check fails too → not running',
      { observation: net('refused'), host: { url: 'http://127.0.0.1:11434', state: 'refused' } },
      'notRunning',
    ],
    ['refused and no host view → either', { observation: net('refused'), host: null }, 'refused'],
    [
      'a different port than the host check found → wrong port',
      { targetUrl: 'http://host.docker.internal:11435/api/tags', observation: net('refused') },
      'wrongPort',
    ],
    [
      'no port in the URL (80) → wrong port',
      { targetUrl: 'http://host.docker.internal/api/tags', observation: net('refused') },
      'wrongPort',
    ],
    [
      'wrong port wins over a timeout',
      { targetUrl: 'http://host.docker.internal:11435/api/tags', observation: net('connectTimeout') },
      'wrongPort',
    ],
    [
      'different port but the host is down → not running',
      {
        targetUrl: 'http://host.docker.internal:11435/api/tags',
        observation: net('refused'),
        host: { url: 'http://127.0.0.1:11434', state: 'refused' },
      },
      'notRunning',
    ],
    [
      'connect timeout on Windows → Defender firewall',
      { observation: net('connectTimeout'), platform: 'win32' },
      'firewallWindows',
    ],
    ['timeout on Linux → firewall', { observation: net('timeout') }, 'firewallOther'],
    ['no route to host (firewalld rejects) → firewall', { observation: net('unreachable') }, 'firewallOther'],
    [
      'connect timeout with the host down → not running',
      { observation: net('connectTimeout'), host: { url: 'http://127.0.0.1:11434', state: 'refused' } },
      'notRunning',
    ],
    ['read timeout → no response', { observation: net('readTimeout') }, 'noResponse'],
    [
      'a hung program times out from both sides → no response (not a firewall)',
      { observation: net('timeout'), host: { url: 'http://127.0.0.1:11434', state: 'silent' } },
      'noResponse',
    ],
    [
      'refused while another program holds the host port → either cause',
      { observation: net('refused'), host: { url: 'http://127.0.0.1:11434', state: 'other' } },
      'refused',
    ],
    ['404 on /sdapi → --api', { ...A1111, observation: http(404) }, 'noApi'],
    [
      '404 on /sdapi on another port than the host check → wrong port',
      { ...A1111, targetUrl: 'http://host.docker.internal:7861/sdapi/v1/sd-models', observation: http(404) },
      'wrongPort',
    ],
    ['401 → --api-auth', { ...A1111, observation: http(401) }, 'apiAuth'],
    ['401 from Ollama → unexpected', { observation: http(401) }, 'unexpectedStatus'],
    ['404 from Ollama → unexpected (another program)', { observation: http(404) }, 'unexpectedStatus'],
    ['500 → unexpected', { ...A1111, observation: http(500) }, 'unexpectedStatus'],
    ['a tool output not understood', { observation: { kind: 'unknown' } }, 'probeFailed'],
  ])('%s', (_what, change, key) => {
    expect(containerCause({ ...base, ...change })?.key ?? null).toBe(key);
  });

  it('names the ports, the host and the service in its params', () => {
    const cause = containerCause({
      ...base,
      targetUrl: 'http://host.docker.internal:11435/api/tags',
      observation: net('refused'),
    });
    expect(cause?.params).toMatchObject({
      component: 'Ollama',
      url: 'http://host.docker.internal:11435/api/tags',
      host: 'host.docker.internal',
      port: 11435,
      localPort: 11434,
      service: 'api',
    });
  });
});

describe('hostCause', () => {
  const url = 'http://127.0.0.1:11434/';
  it.each<[string, Parameters<typeof hostCause>, string | null]>([
    ['Ollama is running', ['ollama', 'ollamaRoot', url, { status: 200, body: 'Ollama is running' }, 3], null],
    [
      'another program on the port',
      ['ollama', 'ollamaRoot', url, { status: 200, body: '<html>' }, 3],
      'unexpectedStatus',
    ],
    [
      'nothing listens',
      ['ollama', 'ollamaRoot', url, { error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:11434' }, 3],
      'notRunning',
    ],
    [
      'no answer in time',
      ['ollama', 'ollamaRoot', url, { error: 'TimeoutError: The operation was aborted due to timeout' }, 3],
      'noResponse',
    ],
    [
      'something else went wrong',
      ['ollama', 'ollamaRoot', url, { error: 'TypeError: bad port' }, 3],
      'hostError',
    ],
    ['A1111 ping', ['a1111', 'a1111Ping', url, { status: 200, body: '{}' }, 3], null],
    [
      'A1111 without --api',
      ['a1111', 'a1111Api', url, { status: 404, body: '{"detail":"Not Found"}' }, 3],
      'noApi',
    ],
    [
      'A1111 with --api-auth',
      ['a1111', 'a1111Api', url, { status: 401, body: '{"detail":"Incorrect username or password"}' }, 3],
      'apiAuth',
    ],
    ['A1111 API', ['a1111', 'a1111Api', url, { status: 200, body: '[]' }, 3], null],
  ])('%s', (_what, args, key) => {
    expect(hostCause(...args)?.key ?? null).toBe(key);
  });
});

describe('hostState', () => {
  const ok = { status: 200, body: '{}' };
  const refused = { error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:7860' };
  const silent = { error: 'TimeoutError: The operation was aborted due to timeout' };
  it.each<[string, Parameters<typeof hostState>[0], ReturnType<typeof hostState>]>([
    [
      'Ollama answers',
      [{ kind: 'ollamaRoot', answer: { status: 200, body: 'Ollama is running' } }],
      'answers',
    ],
    [
      "another program on Ollama's port",
      [{ kind: 'ollamaRoot', answer: { status: 200, body: 'hello' } }],
      'other',
    ],
    [
      'A1111 without --api still answers (ping)',
      [
        { kind: 'a1111Ping', answer: ok },
        { kind: 'a1111Api', answer: { status: 404, body: '' } },
      ],
      'answers',
    ],
    [
      'A1111 --nowebui answers (API)',
      [
        { kind: 'a1111Ping', answer: { status: 404, body: '' } },
        { kind: 'a1111Api', answer: ok },
      ],
      'answers',
    ],
    [
      'nothing listens',
      [
        { kind: 'a1111Ping', answer: refused },
        { kind: 'a1111Api', answer: refused },
      ],
      'refused',
    ],
    ['it hangs', [{ kind: 'ollamaRoot', answer: silent }], 'silent'],
  ])('%s', (_what, answers, want) => {
    expect(hostState(answers)).toBe(want);
  });
});
