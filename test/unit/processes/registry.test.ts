/** What our programs started, shared by the app and the CLI runs (processes/registry.ts). */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../../electron/core/process-start-time';
import { parseRegistry, ProcessRegistry, type RegistryEntry } from '../../../electron/processes/registry';
import { useTempDir } from '../../helpers/use-temp-dir';

const dir = useTempDir('dst-registry-');
const ROOT = resolve(__dirname, '../../..');

const entry = (over: Partial<RegistryEntry> = {}): RegistryEntry => ({
  component: 'ollama',
  pid: process.pid,
  processStart: null,
  command: '/usr/bin/ollama',
  args: ['serve'],
  cwd: '/tmp',
  port: 11434,
  startedBy: 'cli',
  kind: 'child',
  startedAt: 1_785_000_000_000,
  logFile: '/data/logs/ollama.log',
  ...over,
});

const fileOf = () => join(dir(), 'app data', 'processes.json');

describe('ProcessRegistry', () => {
  it('adds, replaces per component, lists and removes', async () => {
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async () => null,
    });
    expect(await registry.list()).toEqual([]);
    await registry.add(entry());
    await registry.add(entry({ component: 'a1111', pid: 77, port: 7860 }));
    await registry.add(entry({ pid: 88, startedBy: 'app' }));
    expect(await registry.get('ollama')).toEqual(entry({ pid: 88, startedBy: 'app' }));
    expect((await registry.list()).map((e) => [e.component, e.pid])).toEqual([
      ['a1111', 77],
      ['ollama', 88],
    ]);
    await registry.remove('a1111', 77);
    expect(await registry.get('a1111')).toBeNull();
  });

  it('remove leaves an entry another program put there since (another pid)', async () => {
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async () => null,
    });
    await registry.add(entry({ pid: 100 }));
    await registry.remove('ollama', 99);
    expect((await registry.get('ollama'))?.pid).toBe(100);
  });

  it('the file is 0600 in a 0700 folder, versioned JSON', async () => {
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async () => null,
    });
    await registry.add(entry());
    if (process.platform !== 'win32') {
      expect(statSync(fileOf()).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir(), 'app data')).mode & 0o777).toBe(0o700);
    }
    expect(JSON.parse(await readFile(fileOf(), 'utf8'))).toEqual({ version: 1, entries: [entry()] });
  });

  it('a dead pid is not listed and is pruned from the file', async () => {
    const alive = new Set([process.pid]);
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: (pid) => alive.has(pid),
      startTimeOf: async () => null,
    });
    await registry.add(entry({ pid: 4242 }));
    await registry.add(entry({ component: 'a1111' }));
    expect((await registry.list()).map((e) => e.component)).toEqual(['a1111']);
    expect(parseRegistry(await readFile(fileOf(), 'utf8'))?.map((e) => e.pid)).toEqual([process.pid]);
  });

  it('pid reuse: a live pid whose process started at another time is not ours — not listed, pruned', async () => {
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async (pid) => (pid === 10 ? 1_785_000_100_000 : 1_785_000_000_500),
    });
    await registry.add(entry({ pid: 10, processStart: 1_785_000_000_000 })); // pid 10 now runs something else
    await registry.add(entry({ component: 'a1111', pid: 11, processStart: 1_785_000_000_000 })); // same (0.5 s)
    expect((await registry.list()).map((e) => e.pid)).toEqual([11]);
    expect(parseRegistry(await readFile(fileOf(), 'utf8'))?.map((e) => e.pid)).toEqual([11]);
  });

  it('a look with nothing to prune takes no lock (two looks at a status do not queue); one that prunes does', async () => {
    const file = fileOf();
    let alive = true;
    const registry = new ProcessRegistry({ file, isAlive: () => alive, startTimeOf: async () => null });
    await registry.add(entry());
    // Another program holds the lock for as long as this test runs.
    const release = await lockfile.lock(file, { realpath: false });
    try {
      const started = Date.now();
      const looks = await Promise.all([registry.get('ollama'), registry.get('a1111'), registry.list()]);
      expect(looks.map((l) => (Array.isArray(l) ? l.length : (l?.component ?? null)))).toEqual([
        'ollama',
        null,
        1,
      ]);
      // The lock's first retry alone waits 20 ms; nothing waited for it.
      expect(Date.now() - started).toBeLessThan(1000);
      alive = false;
      let pruned = false;
      const pruning = registry.list().then((l) => {
        pruned = true;
        return l;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(pruned).toBe(false);
      await release();
      expect(await pruning).toEqual([]);
      expect(parseRegistry(await readFile(file, 'utf8'))).toEqual([]);
    } finally {
      await release().catch(() => undefined);
    }
  });

  it('start times are read again after the cache time, or at once for a fresh look (before a kill)', async () => {
    let reads = 0;
    let start = 1_785_000_000_000;
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async () => {
        reads++;
        return start;
      },
      startTimeCacheMs: 60_000,
    });
    await registry.add(entry({ pid: 10, processStart: start }));
    expect(await registry.get('ollama')).not.toBeNull();
    expect(await registry.get('ollama')).not.toBeNull();
    expect(reads).toBe(1);
    start += 3_600_000; // pid 10 died and was reused meanwhile: a cached look cannot tell
    expect(await registry.get('ollama')).not.toBeNull();
    expect(await registry.get('ollama', { fresh: true })).toBeNull();
    expect(reads).toBe(2);
  });

  it('Windows caches start times by default (a PowerShell run each), Linux does not', async () => {
    const counting = (platform: NodeJS.Platform) => {
      let reads = 0;
      const registry = new ProcessRegistry({
        file: join(dir(), `${platform}.json`),
        platform,
        isAlive: () => true,
        startTimeOf: async () => {
          reads++;
          return null;
        },
      });
      return { registry, reads: () => reads };
    };
    for (const [platform, want] of [
      ['win32', 1],
      ['linux', 2],
    ] as const) {
      const { registry, reads } = counting(platform);
      await registry.add(entry());
      await registry.list();
      await registry.list();
      expect(reads(), platform).toBe(want);
    }
  });

  it.runIf(process.platform === 'linux')(
    'pid reuse with a real process and its real start time',
    async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},20000)'], { stdio: 'ignore' });
      try {
        const start = processStartTime(child.pid!)!;
        const registry = new ProcessRegistry({ file: fileOf() }); // default liveness and start times
        await registry.add(entry({ pid: child.pid!, processStart: start - 60_000 }));
        expect(await registry.get('ollama')).toBeNull();
        await registry.add(entry({ pid: child.pid!, processStart: start }));
        expect((await registry.get('ollama'))?.pid).toBe(child.pid);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('a corrupt file is moved aside and read as empty, never a crash', async () => {
    const registry = new ProcessRegistry({
      file: fileOf(),
      isAlive: () => true,
      startTimeOf: async () => null,
    });
    await registry.add(entry());
    await writeFile(fileOf(), '{"version":1,"entries":[{"component":"ollama",'); // a torn hand edit
    expect(await registry.list()).toEqual([]);
    const aside = readdirSync(join(dir(), 'app data')).filter((f) => f.startsWith('processes.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(fileOf())).toBe(false);
    await registry.add(entry({ component: 'a1111' }));
    expect((await registry.list()).map((e) => e.component)).toEqual(['a1111']);
  });

  it('an entry this version does not know is left out, the others kept', () => {
    const text = JSON.stringify({
      version: 1,
      entries: [entry(), { ...entry(), component: 'comfyui' }, { pid: 'x' }],
    });
    expect(parseRegistry(text)).toEqual([entry()]);
    expect(parseRegistry('[]')).toBeNull();
    expect(parseRegistry('null')).toBeNull();
  });

  it('two processes changing it at once: neither update is lost', async () => {
    // Each child flips its own component in and out many times, ending with it in, and checks after
    // each change that it holds. Without the lock, one child's read-modify-write is based on a read from
    // before the other's write, and replaces the file with that stale picture.
    const script = join(dir(), 'writer.ts');
    await writeFile(
      script,
      `import { ProcessRegistry } from ${JSON.stringify(join(ROOT, 'electron/processes/registry.ts'))};
       const [file, component, pid, at] = process.argv.slice(2);
       const registry = new ProcessRegistry({ file, isAlive: () => true, startTimeOf: async () => null });
       const entry = { component, pid: Number(pid), processStart: null, command: 'x', args: [], cwd: '/',
         port: null, startedBy: 'cli', kind: 'child', startedAt: 0, logFile: null };
       void (async () => {
         await new Promise((r) => setTimeout(r, Number(at) - Date.now())); // both loops run together
         let lost = 0;
         for (let i = 0; i < 40; i++) {
           await registry.add(entry);
           if (!(await registry.get(component))) lost++; // the other's stale write dropped ours
           if (i === 39) break;
           await registry.remove(component, Number(pid));
           if (await registry.get(component)) lost++; // the other's stale write brought it back
         }
         if (lost) throw new Error(component + ': ' + lost + ' updates lost');
       })();`,
    );
    const at = Date.now() + 4_000; // after both children have loaded
    const run = (component: string) =>
      new Promise<void>((resolveRun, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', script, fileOf(), component, String(process.pid), String(at)],
          { cwd: ROOT, timeout: 60_000 },
          (error, _stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolveRun(),
        );
      });
    await Promise.all([run('ollama'), run('a1111')]);
    const entries = parseRegistry(await readFile(fileOf(), 'utf8'));
    expect(entries?.map((e) => e.component).sort()).toEqual(['a1111', 'ollama']);
  }, 60_000);
});
