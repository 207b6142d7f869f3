/**
 * A plugin folder's debug session against the Dify double's console API and remote-debug port (real
 * HTTP and TCP on 127.0.0.1), with a real python3, venv and pip (offline, from a wheel built here):
 * start → connected; a save → restarted within 1 s → connected again; requirements.txt → reinstall
 * then restart; ignored paths and our own .env write → no restart; a refused key; a crash; a packaged
 * install in the way; the key's renewal; stop → no process left in the folder.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PluginDebugState } from '../../../electron/core/contract';
import { DifyConsoleClient } from '../../../electron/plugins/console-client';
import { PluginDebugService, type DebugConsole } from '../../../electron/plugins/plugin-debug-service';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import {
  copyDebugFixture,
  copyPrepared,
  prepareTemplate,
  processesIn,
  requireHelper,
} from '../../helpers/debug-plugin';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';

let work: string;
let template: string;
let double: DifyConsoleDouble;
let client: DifyConsoleClient;
const services: PluginDebugService[] = [];
let folders = 0;

beforeAll(async () => {
  work = await createTempDir('dst-plugin-debug-');
  template = await prepareTemplate(path.join(work, 'template'));
  double = await startDifyConsoleDouble({ remoteDebug: true });
  client = new DifyConsoleClient({
    baseUrl: double.url,
    email: double.options.email,
    password: () => double.options.password,
  });
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.dispose()));
});

afterAll(async () => {
  await double?.close();
  await removeTempDir(work);
});

/** A debug service over the double, with its state changes recorded. */
function debugService(options: { console?: DebugConsole; pythonPath?: string; keyRefreshMs?: number } = {}): {
  service: PluginDebugService;
  phases: string[];
} {
  const phases: string[] = [];
  const service: PluginDebugService = new PluginDebugService({
    client: () => options.console ?? client,
    pythonPath: () => options.pythonPath ?? '',
    logDir: path.join(work, 'logs'),
    backupRoot: path.join(work, 'app-data'),
    onChange: () => {
      for (const dir of service.activeDirs()) {
        const phase = service.state(dir)?.phase;
        if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
      }
    },
    timings: { keyRefreshMs: options.keyRefreshMs, confirmTimeoutMs: 10_000 },
  });
  services.push(service);
  return { service, phases };
}

async function preparedFolder(): Promise<string> {
  return copyPrepared(template, path.join(work, `plugin-${++folders}`));
}

async function until<T>(
  what: string,
  get: () => T | undefined | null | false | Promise<T | null>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stateOf = (service: PluginDebugService, dir: string): PluginDebugState | null => service.state(dir);

/** Waits for a state; a time-out says which state it was in instead (and the log's end). */
async function waitState(
  service: PluginDebugService,
  dir: string,
  what: string,
  ok: (s: PluginDebugState) => boolean,
): Promise<PluginDebugState> {
  try {
    return await until(
      what,
      () => {
        const s = stateOf(service, dir);
        return s && ok(s) ? s : null;
      },
      60_000,
    );
  } catch (e) {
    const log = await readFile(service.logFile(dir), 'utf8').catch(() => '');
    const state = JSON.stringify(stateOf(service, dir));
    throw new Error(`${(e as Error).message}; state ${state}; log ends:\n${log.slice(-1500)}`);
  }
}

const connected = (service: PluginDebugService, dir: string, restarts: number) =>
  waitState(
    service,
    dir,
    `connected after ${restarts} restart(s)`,
    (s) => s.phase === 'connected' && s.restarts === restarts,
  );
const inPhase = (service: PluginDebugService, dir: string, phase: PluginDebugState['phase']) =>
  waitState(service, dir, phase, (s) => s.phase === phase);
const remoteInstalls = () => double.installed().filter((p) => p.source === 'remote');

describe('a plugin debug session', () => {
  it('creates .venv, installs requirements, writes .env beside the user lines, and connects', async () => {
    const dir = await copyDebugFixture(path.join(work, 'fresh'));
    const userLines = '# my own settings\r\nOPENAI_API_KEY="sk-abc"\r\nREMOTE_INSTALL_HOST=elsewhere\r\n';
    await writeFile(path.join(dir, '.env'), userLines);
    const { service, phases } = debugService();

    await service.start(dir);
    const state = await connected(service, dir, 0);

    expect(phases).toEqual(['installing', 'starting', 'connected']);
    expect(state).toMatchObject({ listed: true, packaged: null, error: null });
    const env = await readFile(path.join(dir, '.env'), 'utf8');
    const port = double.debugDaemon?.port;
    // The user's lines byte for byte (CRLF kept); ours appended in the file's own line ending.
    expect(env).toBe(
      userLines +
        `INSTALL_METHOD=remote\r\nREMOTE_INSTALL_URL=127.0.0.1:${port}\r\nREMOTE_INSTALL_KEY=${double.debuggingKey()}\r\n`,
    );
    expect(double.debugDaemon?.live().map((c) => [c.key, c.pluginId])).toEqual([
      [double.debuggingKey(), 'local_dev/debug_echo'],
    ]);
    expect(remoteInstalls().map((p) => [p.plugin_id, p.version])).toEqual([
      ['local_dev/debug_echo', '0.1.0'],
    ]);
    // The plugin prints the helper's version right after its start lines.
    const log = await until('the helper version printed', async () => {
      const text = await readFile(service.logFile(dir), 'utf8');
      return text.includes('debug-echo-helper 1.0.0') ? text : null;
    });
    expect(log).toContain('[dify-stack] Creating .venv with Python 3.');
    expect(log).toContain('Successfully installed debug-echo-helper-1.0.0');

    await service.stop(dir);
    expect(stateOf(service, dir)?.phase).toBe('stopped');
    expect(processesIn(dir)).toEqual([]);
    expect(remoteInstalls()).toEqual([]);
  });

  it('restarts within 1 s of a save and connects again; the old process is gone', async () => {
    const dir = await preparedFolder();
    const { service } = debugService();
    await service.start(dir);
    const first = await connected(service, dir, 0);

    const saved = Date.now();
    await appendFile(path.join(dir, 'tools', 'echo.py'), '\n# edited\n');
    const second = await connected(service, dir, 1);
    const restartedAfter = second.since - saved;

    expect(restartedAfter).toBeLessThan(1000);
    expect(second.pid).not.toBe(first.pid);
    expect(processesIn(dir)).toEqual([second.pid]);
    expect(double.debugDaemon?.live()).toHaveLength(1);
    expect(remoteInstalls()).toHaveLength(1);
    expect(await readFile(service.logFile(dir), 'utf8')).toContain('[dify-stack] Changed: tools/echo.py');
  });

  it('does not restart for ignored paths, editor files or its own .env write', async () => {
    const dir = await preparedFolder();
    await writeFile(path.join(dir, '.gitignore'), 'scratch/\n');
    const { service } = debugService();
    await service.start(dir);
    await connected(service, dir, 0);

    await mkdir(path.join(dir, 'scratch'));
    await writeFile(path.join(dir, 'scratch', 'notes.py'), 'x = 1\n');
    await mkdir(path.join(dir, '__pycache__'), { recursive: true });
    await writeFile(path.join(dir, '__pycache__', 'main.cpython-311.pyc'), 'x');
    await writeFile(path.join(dir, '.venv', 'marker'), 'x');
    await writeFile(path.join(dir, '.main.py.swp'), 'x');
    await new Promise((r) => setTimeout(r, 800));
    expect(stateOf(service, dir)).toMatchObject({ phase: 'connected', restarts: 0 });

    // A line the user adds to .env is a change the plugin must see.
    await appendFile(path.join(dir, '.env'), 'MY_SETTING=1\n');
    await connected(service, dir, 1);
  });

  it('reinstalls a changed requirements.txt before the restart', async () => {
    const dir = await preparedFolder();
    const { service, phases } = debugService();
    await service.start(dir);
    await connected(service, dir, 0);
    phases.length = 0;

    await requireHelper(dir, '1.0.1');
    await connected(service, dir, 1);

    expect(phases).toEqual(['installing', 'starting', 'connected']);
    // The restarted plugin imports what was just installed (it prints the version after connecting).
    const log = await until('the new version printed', async () => {
      const text = await readFile(service.logFile(dir), 'utf8');
      return text.lastIndexOf('debug-echo-helper 1.0.1') > text.lastIndexOf('▶ run 2') ? text : null;
    });
    expect(log).toContain('Successfully installed debug-echo-helper-1.0.1');
  });

  it('says so clearly when the daemon refuses the key, and leaves no process', async () => {
    const dir = await preparedFolder();
    const wrongKey: DebugConsole = {
      debuggingKey: async () => ({ ...(await client.debuggingKey()), key: 'not-this-workspace' }),
      listPlugins: (o) => client.listPlugins(o),
      uninstall: (id, o) => client.uninstall(id, o),
    };
    const { service } = debugService({ console: wrongKey });
    await service.start(dir);

    const failed = await inPhase(service, dir, 'failed');
    expect(failed.error?.code).toBe('PLUGIN_DEBUG_BAD_KEY');
    expect(failed.error?.message).toContain(`127.0.0.1:${double.debugDaemon?.port}`);
    expect(failed.lastLines.join('\n')).toContain(
      "An error occurred while parsing the data: b'handshake failed, invalid key'",
    );
    expect(double.debugDaemon?.connections.at(-1)?.refusal).toBe('handshake failed, invalid key');
    await until('no process', () => processesIn(dir).length === 0);
  });

  it('renews an expired key once and connects with the new one', async () => {
    const dir = await preparedFolder();
    const { service } = debugService();
    await service.start(dir);
    await connected(service, dir, 0);
    const oldKey = double.debuggingKey();
    const fetches = double.debuggingKeyFetches();

    double.expireDebuggingKey();
    await appendFile(path.join(dir, 'main.py'), '\n# edited\n');

    await connected(service, dir, 2);
    expect(double.debuggingKey()).not.toBe(oldKey);
    expect(double.debuggingKeyFetches()).toBe(fetches + 1);
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toContain(
      `REMOTE_INSTALL_KEY=${double.debuggingKey()}`,
    );
  });

  it('fetches the key again before its TTL ends and reconnects only when it changed', async () => {
    const dir = await preparedFolder();
    const { service } = debugService({ keyRefreshMs: 300 });
    await service.start(dir);
    await connected(service, dir, 0);
    const fetches = double.debuggingKeyFetches();
    await until('two refreshes', () => double.debuggingKeyFetches() >= fetches + 2);
    expect(stateOf(service, dir)?.restarts).toBe(0);

    double.expireDebuggingKey();
    await connected(service, dir, 1);
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toContain(
      `REMOTE_INSTALL_KEY=${double.debuggingKey()}`,
    );
  });

  it('shows a crash with its exit code and last lines, and the next save starts it again', async () => {
    const dir = await preparedFolder();
    const { service } = debugService();
    const main = path.join(dir, 'main.py');
    const original = await readFile(main, 'utf8');
    await service.start(dir);
    await connected(service, dir, 0);

    await writeFile(main, 'raise SystemExit("boom: the tool module failed")\n' + original);
    const crashed = await inPhase(service, dir, 'crashed');
    expect(crashed.exitCode).toBe(1);
    expect(crashed.lastLines).toContain('boom: the tool module failed');
    expect(crashed.restarts).toBe(1);

    await writeFile(main, original);
    await connected(service, dir, 2);
  });

  it('warns about a packaged install, uninstalls it on request, and offers it back after', async () => {
    const dir = await preparedFolder();
    double.seedInstalled({
      plugin_id: 'local_dev/debug_echo',
      plugin_unique_identifier: `local_dev/debug_echo:0.0.9@${'a'.repeat(64)}`,
      version: '0.0.9',
    });
    const { service } = debugService();
    await service.start(dir);
    const attached = await connected(service, dir, 0);
    // The daemon runs the session under the packaged installation: no remote one is listed.
    expect(attached).toMatchObject({ listed: false, packaged: { version: '0.0.9' } });
    expect(remoteInstalls()).toEqual([]);

    await service.uninstallPackaged(dir);
    const own = await connected(service, dir, 1);
    expect(own).toMatchObject({ listed: true, packaged: null, uninstalledPackage: { version: '0.0.9' } });
    expect(double.installed().map((p) => p.source)).toEqual(['remote']);

    await service.stop(dir);
    expect(stateOf(service, dir)).toMatchObject({
      phase: 'stopped',
      uninstalledPackage: { version: '0.0.9' },
    });
    expect(double.installed()).toEqual([]);
  });

  it('refuses to start with a Python older than the manifest asks for, or none at all', async () => {
    const dir = await preparedFolder();
    const manifest = path.join(dir, 'manifest.yaml');
    await writeFile(
      manifest,
      (await readFile(manifest, 'utf8')).replace("version: '3.10'", "version: '3.99'"),
    );
    const { service } = debugService();
    await service.start(dir);
    const tooOld = await inPhase(service, dir, 'failed');
    expect(tooOld.error?.code).toBe('PLUGIN_DEBUG_PYTHON_TOO_OLD');
    expect(tooOld.error?.params).toMatchObject({ required: '3.99', where: '.venv' });

    const other = await copyDebugFixture(path.join(work, 'no-python'));
    const { service: none } = debugService({ pythonPath: path.join(work, 'nowhere', 'python3') });
    await none.start(other);
    const notFound = await inPhase(none, other, 'failed');
    expect(notFound.error?.code).toBe('PLUGIN_DEBUG_PYTHON_NOT_FOUND');
    expect(processesIn(dir)).toEqual([]);
  });
});
