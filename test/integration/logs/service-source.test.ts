/**
 * The log service on the real engine with Compose v2: the test stack's plugin_daemon (which prints
 * in the real daemon's format, test/fixtures/plugin-daemon.sh) followed through a timeout apply that
 * recreates it — the stream continues from the new container with a `recreated` mark, no line
 * repeated, none missing; the error badge counting a failing plugin's traceback and ERROR record once
 * each; `logs:sources`. And, on a private dockerd, the service source reconnecting across a restart
 * of the engine itself.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../../electron/docker/compose-labels';
import { streamContainerLogs } from '../../../electron/docker/container-log-stream';
import type { LogLine } from '../../../electron/logs/contract';
import { openServiceSource, shortId } from '../../../electron/logs/service-source';
import type { LogMark } from '../../../electron/logs/contract';
import type { RawLogLine } from '../../../electron/logs/source';
import { createServices, type AppServices } from '../../../electron/services';
import {
  composeV2Available,
  dockerEngineAvailable,
  privateDockerdAvailable,
  skipReason,
} from '../../helpers/docker-available';
import { PrivateDockerd } from '../../helpers/private-dockerd';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';
import { TEST_IMAGE } from '../../helpers/test-image';
import { containerIds, createTestStack, failPluginDaemon, type TestStack } from '../../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());
const skipPrivate =
  skip ?? skipReason('a private dockerd (dockerd on PATH, run as root)', privateDockerdAvailable());

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The fixture's heartbeat counter of a line, or null. */
const heartbeat = (text: string): number | null => {
  const m = / plugin daemon heartbeat (\d+)$/.exec(text);
  return m ? Number(m[1]) : null;
};

/** Splits a followed log at its marks: the lines of each stretch between two marks. */
function stretches(
  lines: readonly LogLine[],
): Array<{ mark: LogMark | null; detail: string; lines: LogLine[] }> {
  const parts: Array<{ mark: LogMark | null; detail: string; lines: LogLine[] }> = [
    { mark: null, detail: '', lines: [] },
  ];
  for (const line of lines) {
    if (line.mark) parts.push({ mark: line.mark, detail: line.text, lines: [] });
    else parts.at(-1)?.lines.push(line);
  }
  return parts;
}

describe.skipIf(skip)('the log service on a test stack', () => {
  let stack: TestStack;
  let services: AppServices;
  let work: string;

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'logsrc' });
    await stack.up();
    work = await createTempDir('dst-logsrc-');
    const configFile = join(work, 'settings.json');
    await fs.writeFile(configFile, JSON.stringify({ difyDir: stack.dir, language: 'en' }));
    services = await createServices({ configFile, env: process.env });
    // As the app does: the status follows Docker events, and the error badge follows plugin_daemon.
    await services.stack.watch();
  }, 240_000);

  afterAll(async () => {
    await services?.dispose();
    await stack?.dispose();
    if (work) await removeTempDir(work);
  }, 120_000);

  it('lists the project’s services with their containers, and the programs', async () => {
    const sources = await services.logs.sources();
    const daemon = sources.find((s) => s.key === 'service:plugin_daemon');
    expect(daemon).toEqual({
      source: { kind: 'service', service: 'plugin_daemon' },
      key: 'service:plugin_daemon',
      state: 'running',
      detail: `${stack.projectName}-plugin_daemon-1`,
    });
    // The one-shot init service ran and exited: its log is there to read.
    expect(sources.find((s) => s.key === 'service:init_permissions')?.state).toBe('stopped');
    // A profile that is not active has no container.
    const keys = sources.map((s) => s.key);
    expect(keys).toContain('service:api');
    expect(keys).toEqual(expect.arrayContaining(['ollama', 'a1111']));
    expect(sources.find((s) => s.key === 'a1111')?.state).toBe('missing');
  });

  it('follows plugin_daemon across its recreation by a timeout apply: a recreated mark, no repeat, no gap', async () => {
    const got: LogLine[] = [];
    const stop = services.logs.linesSource()(
      { source: { kind: 'service', service: 'plugin_daemon' }, tail: 1000 },
      { push: (l) => got.push(l), pushMany: (ls) => got.push(...ls), end: () => undefined },
    );
    try {
      await until(() => got.some((l) => (heartbeat(l.text) ?? 0) >= 3), 'three heartbeats');
      const before = containerIds(stack).plugin_daemon as string;

      // PLUGIN_MAX_EXECUTION_TIMEOUT reaches plugin_daemon (the x-shared-env anchor): the apply recreates it.
      const result = await services.timeouts.applyEnvChanges({
        changes: { PLUGIN_MAX_EXECUTION_TIMEOUT: '900' },
      }).done;
      expect(result.recreated).toContain('plugin_daemon');
      const after = containerIds(stack).plugin_daemon as string;
      expect(after).not.toBe(before);

      await until(
        () =>
          stretches(got).some((s) => s.mark === 'recreated' && s.lines.some((l) => heartbeat(l.text) === 3)),
        'three heartbeats of the new container',
      );
      const parts = stretches(got);
      const marks = parts.slice(1).map((p) => [p.mark, p.detail]);
      expect(marks).toEqual([
        ['waiting', 'plugin_daemon'],
        ['recreated', shortId(after)],
      ]);
      const [old, , fresh] = parts.map((p) => p.lines);
      // The old container's whole log, as the engine kept it, then the new one's from its first line.
      const beats = (lines: LogLine[] = []) => lines.map((l) => heartbeat(l.text)).filter((n) => n !== null);
      const oldBeats = beats(old);
      expect(oldBeats).toEqual(oldBeats.map((_, i) => (oldBeats[0] as number) + i));
      expect(fresh?.[0]?.text).toMatch(
        / INFO dify-plugin-daemon manager\.go:121 start plugin manager daemon$/,
      );
      const newBeats = beats(fresh);
      expect(newBeats).toEqual(newBeats.map((_, i) => i + 1));
      // Nothing the stream handed over is repeated: sequence numbers one by one, texts unique per container.
      const seqs = got.map((l) => l.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
      for (const lines of [old, fresh]) {
        const texts = (lines ?? []).map((l) => l.text).filter((t) => heartbeat(t) !== null);
        expect(new Set(texts).size).toBe(texts.length);
      }
      // The old container's last heartbeat is the last it printed (what the engine stored for it is gone
      // with it; the new container's log starts after it).
      expect(old?.at(-1)?.text).toMatch(/heartbeat \d+$/);
    } finally {
      stop?.();
    }
  }, 240_000);

  it('counts a failing plugin’s traceback and the daemon’s ERROR record once each, and forgets them when seen', async () => {
    await until(() => services.logs.summary().watching, 'the badge watching plugin_daemon');
    services.logs.ackErrors();
    expect(services.snapshot.get().logs).toMatchObject({ watching: true, errors: 0 });
    await failPluginDaemon(stack);
    await until(() => services.logs.summary().errors >= 2, 'two errors');
    // A few heartbeats later: still two (the relayed lines, the WARN quoting the traceback, the Go stack
    // trace after the ERROR record add nothing).
    const beatsSeen = (services.logs.summary().last?.at ?? 0) + 2500;
    await until(() => Date.now() > beatsSeen, 'a few heartbeats');
    const summary = services.logs.summary();
    expect(summary.errors).toBe(2);
    expect(summary.last?.service).toBe('plugin_daemon');
    expect(summary.last?.text).toMatch(/ ERROR dify-plugin-daemon logger\.go:24 local runtime start failed /);
    expect(services.snapshot.get().logs?.errors).toBe(2);
    expect(services.logs.ackErrors()).toBe(2);
    expect(services.logs.summary()).toMatchObject({ watching: true, errors: 0 });
  }, 120_000);
});

describe.skipIf(skipPrivate)('the service source across a restart of the engine', () => {
  let daemon: PrivateDockerd | null = null;
  afterEach(async () => {
    await daemon?.dispose();
    daemon = null;
  }, 120_000);

  it('waits while dockerd restarts, then continues since its last line: reconnected, nothing repeated or lost', async () => {
    daemon = await PrivateDockerd.start();
    const docker = daemon.docker();
    const labels = { [LABEL_PROJECT]: 'privlogs', [LABEL_SERVICE]: 'worker' };
    // Counts on across restarts (the count kept in /tmp/n); `always` brings it back with the engine.
    const container = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: [
        'sh',
        '-c',
        'trap "exit 0" TERM; i=$(cat /tmp/n 2>/dev/null || echo 0); ' +
          'while :; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; echo $i > /tmp/n; sleep 0.05 & wait $!; done',
      ],
      Labels: labels,
      HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'always' } },
    });
    await container.start();
    const containers = async (service: string) =>
      (
        await docker.listContainers({
          all: true,
          filters: { label: [`${LABEL_PROJECT}=privlogs`, `${LABEL_SERVICE}=${service}`] },
        })
      ).map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        state: c.State,
        created: c.Created,
      }));

    const got: Array<RawLogLine | { mark: LogMark; detail: string }> = [];
    const stop = openServiceSource({ docker, containers, retryMs: { first: 100, max: 500 } }, 'worker')(
      { follow: true },
      {
        lines: (lines) => got.push(...lines),
        mark: (mark, detail) => got.push({ mark, detail }),
        end: () => undefined,
      },
    );
    try {
      const raw = () => got.filter((l): l is RawLogLine => 'text' in l);
      await until(() => raw().length >= 20, 'the first lines');
      await daemon.restart('SIGTERM');
      const seen = raw().length;
      await until(
        () => got.some((l) => 'mark' in l && l.mark === 'reconnected') && raw().length >= seen + 20,
        'lines after the restart',
      );
      const marks = got.filter((l): l is { mark: LogMark; detail: string } => 'mark' in l);
      expect(marks.map((m) => m.mark)).toEqual(['waiting', 'reconnected']);
      expect(marks[1]?.detail).toMatch(/^[\w.-]+$/);

      stop();
      // What the source delivered is exactly what the engine stored, in order: no repeat, no gap.
      const stored: string[] = [];
      await streamContainerLogs(
        docker as Pick<Docker, 'getContainer'>,
        container.id,
        { follow: false },
        (lines) => stored.push(...lines.map((l) => `${l.stream} ${l.text}`)),
      );
      const delivered = raw().map((l) => `${l.stream} ${l.text}`);
      expect(delivered).toEqual(stored.slice(0, delivered.length));
      const outs = raw()
        .filter((l) => l.stream === 'out')
        .map((l) => Number(l.text.split(' ')[1]));
      expect(outs).toEqual(outs.map((_, i) => i + 1));
    } finally {
      stop();
    }
  }, 180_000);
});
