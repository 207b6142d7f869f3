import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findMaxRequestTimeout,
  findTimeoutArguments,
  readPluginTimeouts,
  SDK_DEFAULT_MAX_REQUEST_TIMEOUT,
  stripPythonComment,
  toolCallTimeout,
} from '../../../electron/plugins/plugin-timeouts';
import { copyFixture, FIXTURE, removeTempDirs, tempDir, write } from './helpers';

afterAll(removeTempDirs);

describe('plugin timeout parsers', () => {
  it('finds MAX_REQUEST_TIMEOUT with its line, ignoring comments', () => {
    const text = [
      'from dify_plugin import DifyPluginEnv, Plugin',
      '# plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=30))',
      'plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT = 120))  # two minutes',
    ].join('\r\n');
    expect(findMaxRequestTimeout(text)).toEqual({
      seconds: 120,
      file: 'main.py',
      line: 3,
      text: 'plugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT = 120))',
    });
    expect(findMaxRequestTimeout('plugin = Plugin(DifyPluginEnv())')).toBeNull();
    expect(findMaxRequestTimeout('env = DifyPluginEnv(MAX_REQUEST_TIMEOUT=LIMIT)')?.seconds).toBeNull();
  });

  it('finds literal timeout= arguments: numbers, (connect, read) tuples, and non-literals as unknown', () => {
    const text = [
      'r = requests.post(url, json=p, timeout=600)',
      'r = httpx.get(url, timeout = 12.5)',
      'r = requests.get(url, timeout=(5, 900))',
      'r = requests.get(url, timeout=self.timeout)',
      'if timeout == 3: pass',
      'x = "timeout=99"  # timeout=1',
      'r = s.get(u, connect_timeout=4)',
    ].join('\n');
    const found = findTimeoutArguments(text, 'tools/a.py');
    expect(found.map((f) => [f.line, f.seconds])).toEqual([
      [1, 600],
      [2, 12.5],
      [3, 900],
      [4, null],
      // The string literal is code text the regex sees; a real call would look the same. Comments are gone.
      [6, 99],
    ]);
    expect(found[0]).toMatchObject({
      file: 'tools/a.py',
      text: 'r = requests.post(url, json=p, timeout=600)',
    });
  });

  it('strips comments but not # inside strings', () => {
    expect(stripPythonComment('a = "#x"  # c')).toBe('a = "#x"  ');
    expect(stripPythonComment("b = 'it\\'s #1' # c")).toBe("b = 'it\\'s #1' ");
  });
});

describe('readPluginTimeouts', () => {
  it('reads the fixture plugin: main.py and the tools, with files and lines', async () => {
    const r = await readPluginTimeouts(FIXTURE);
    expect(r.error).toBeNull();
    expect(r.pluginId).toBe('local_dev/sd_tool');
    expect(r.maxRequestTimeout).toMatchObject({ seconds: 600, file: 'main.py', line: 3, isDefault: false });
    expect(r.httpTimeouts.map((t) => `${t.file}:${t.line}=${t.seconds}`)).toEqual([
      'provider/sd_tool.py:11=10',
      'tools/txt2img.py:18=600',
    ]);
  });

  it('falls back to the SDK default and skips ignored code (.venv)', async () => {
    const dir = await copyFixture();
    await write(
      dir,
      'main.py',
      'from dify_plugin import Plugin, DifyPluginEnv\nplugin = Plugin(DifyPluginEnv())\n',
    );
    await write(dir, '.venv/lib/site.py', 'requests.get(u, timeout=1)\n');
    const r = await readPluginTimeouts(dir);
    expect(r.maxRequestTimeout).toMatchObject({ seconds: SDK_DEFAULT_MAX_REQUEST_TIMEOUT, isDefault: true });
    expect(r.httpTimeouts.some((t) => t.file.startsWith('.venv'))).toBe(false);
  });

  it("a real official plugin: timeout= in its tool code (jiandaoyun's HTTP client), with file and line", async () => {
    const dir = path.resolve(__dirname, '../../fixtures/plugins/official/tools/jiandaoyun');
    const r = await readPluginTimeouts(dir);
    expect(r.error).toBeNull();
    // The keyword argument on its own line of a multi-line requests.request(...) call.
    expect(r.httpTimeouts).toContainEqual({
      seconds: 10,
      file: 'utils/httpclient.py',
      line: 37,
      text: 'timeout=10,',
    });
    expect(toolCallTimeout(r)).toMatchObject({ seconds: 10, file: 'utils/httpclient.py', line: 37 });
  });

  it("the tool call's own limit: the tool's timeout=, never the provider's check nor MAX_REQUEST_TIMEOUT", async () => {
    const fixture = await readPluginTimeouts(FIXTURE);
    expect(toolCallTimeout(fixture)).toMatchObject({ seconds: 600, file: 'tools/txt2img.py', line: 18 });
    // A plugin whose main.py sets MAX_REQUEST_TIMEOUT=120 and whose tool sets no timeout: nothing cuts
    // its tool call at 120 s (the SDK applies MAX_REQUEST_TIMEOUT to the serverless runtime only).
    const dir = await copyFixture();
    await write(
      dir,
      'main.py',
      'from dify_plugin import Plugin, DifyPluginEnv\nplugin = Plugin(DifyPluginEnv(MAX_REQUEST_TIMEOUT=120))\n',
    );
    const tool = await fs.readFile(path.join(dir, 'tools/txt2img.py'), 'utf8');
    await write(dir, 'tools/txt2img.py', tool.replace(', timeout=600', ''));
    const r = await readPluginTimeouts(dir);
    expect(r.maxRequestTimeout).toMatchObject({ seconds: 120, isDefault: false });
    expect(toolCallTimeout(r)).toBeNull();
  });

  it('reports a missing folder as an error instead of throwing', async () => {
    const r = await readPluginTimeouts(path.join(await tempDir(), 'gone'));
    expect(r.error?.code).toBe('PLUGIN_DIR_NOT_FOUND');
    await expect(fs.access(r.dir)).rejects.toThrow();
  });
});
