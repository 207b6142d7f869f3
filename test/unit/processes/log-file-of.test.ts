/** Which file the log viewer follows for Ollama and A1111 (ProcessService.logFileOf). */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppSnapshotStore } from '../../../electron/core/app-snapshot';
import { JobManager } from '../../../electron/core/jobs';
import { processStartTimeOf } from '../../../electron/core/process-start-time';
import { ollamaServerLog } from '../../../electron/processes/ollama-install';
import { ProcessService } from '../../../electron/processes/process-service';
import { ProcessRegistry } from '../../../electron/processes/registry';
import { SettingsSchema } from '../../../electron/settings/schema';
import { FakeStack } from '../../doubles/fake-stack';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('log-file-of-');
const services: ProcessService[] = [];

afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
});

function service(dataDir: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}): ProcessService {
  const jobs = new JobManager();
  const s = new ProcessService({
    jobs,
    stack: new FakeStack(jobs),
    // Nothing answers on port 9: Ollama and A1111 are "not running" at once.
    settings: () => ({ ...SettingsSchema.parse({}), ollamaHost: '127.0.0.1:9', a1111Port: 9 }),
    snapshot: new AppSnapshotStore().part('processes'),
    dataDir,
    program: 'cli',
    platform,
    env,
    docker: () => {
      throw new Error('no engine in this test');
    },
  });
  services.push(s);
  return s;
}

describe('ProcessService.logFileOf', () => {
  it('nothing of ours runs: our output file of an earlier run, not running', () => {
    const dataDir = tempDir();
    const s = service(dataDir, 'linux');
    expect(s.logFileOf('ollama')).toEqual({ file: path.join(dataDir, 'logs', 'ollama.log'), running: false });
    expect(s.logFileOf('a1111')).toEqual({ file: path.join(dataDir, 'logs', 'a1111.log'), running: false });
  });

  it("Windows: Ollama's is the desktop app's server.log; A1111's stays ours", () => {
    const env = { LocalAppData: 'C:\\Users\\Taro Yamada\\AppData\\Local' };
    const s = service(tempDir(), 'win32', env);
    expect(s.logFileOf('ollama')).toEqual({
      file: 'C:\\Users\\Taro Yamada\\AppData\\Local\\Ollama\\server.log',
      running: false,
    });
    expect(s.logFileOf('a1111').file).toMatch(/a1111\.log$/);
    expect(ollamaServerLog('win32', {})).toBeNull();
    expect(ollamaServerLog('win32', { LOCALAPPDATA: 'relative\\path' })).toBeNull();
    expect(ollamaServerLog('linux', env)).toBeNull();
  });

  it('a program of ours runs (another program started it: the registry says so): its output file', async () => {
    const dataDir = tempDir();
    const logFile = path.join(dataDir, 'logs', 'ollama-by-the-app.log');
    // This test's own process stands in for a serve the app started: alive, with its real start time.
    await new ProcessRegistry({ file: path.join(dataDir, 'processes.json') }).add({
      component: 'ollama',
      pid: process.pid,
      processStart: await processStartTimeOf(process.pid, {}),
      command: 'ollama',
      args: ['serve'],
      cwd: dataDir,
      port: null,
      startedBy: 'app',
      kind: 'child',
      startedAt: Date.now(),
      logFile,
    });
    const s = service(dataDir, process.platform, { LOCALAPPDATA: 'C:\\Users\\x\\AppData\\Local' });
    await s.refresh();
    expect(s.logFileOf('ollama')).toEqual({ file: logFile, running: true });
  });
});
