/**
 * The diagnostics export against the real engine and Compose v2, the Dify-shaped test stack up, the
 * Ollama double serving and nvidia-smi's double on the settings' path: versions.json tells the
 * engine's and Compose's versions as the `docker` CLI tells them, each service's image, Ollama's
 * version from its API, the GPU and driver; status.json is the app snapshot. Then the secret scan:
 * after a login through the Dify console double (a known password, cookies issued) and with SECRET_KEY
 * in `.env`, neither the password (plain or base64), nor SECRET_KEY's value, nor a cookie or token
 * value appears anywhere in the zip or in the app's log. Last, `dify-stack diagnostics -o FILE` as a
 * fresh process writes the same kind of zip from the CLI, with its own log.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../../electron/services';
import { APP_DIR_NAME } from '../../../electron/settings/paths';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../../doubles/dify-console';
import { runCliProcess } from '../../helpers/cli-runner';
import { readZipTexts } from '../../helpers/diagnostics-zip';
import { composeV2Available, dockerEngineAvailable, skipReason } from '../../helpers/docker-available';
import { freePort } from '../../helpers/free-port';
import { createTempDir, removeTempDir } from '../../helpers/temp-dir';
import { base64Forms, putSecretKeyInStack, servicesInAppData } from '../../helpers/secret-forms';
import { createTestStack, type TestStack } from '../../helpers/test-stack';

const skip = skipReason('Docker engine with Compose v2', dockerEngineAvailable() && composeV2Available());
const DOUBLES = resolve(__dirname, '../../doubles');
const OLLAMA = join(DOUBLES, 'ollama', 'ollama');
const NVIDIA_SMI = join(DOUBLES, 'nvidia-smi', 'nvidia-smi');

// Unique per run, so a hit can only come from this run; a letter and a digit, as Dify asks.
const PASSWORD = `Pw9-${randomBytes(12).toString('hex')}`;
const SECRET_KEY = `sk-${randomBytes(24).toString('hex')}`;

/** Which of `needles` occur in the text (also checked as UTF-16 by the caller for raw files). */
function found(text: string, needles: string[]): string[] {
  return needles.filter((n) => text.includes(n));
}

describe.skipIf(skip)('diagnostics export against the engine, the doubles and the CLI', () => {
  let stack: TestStack;
  let double: DifyConsoleDouble;
  let ollama: ChildProcess;
  let ollamaUrl: string;
  let services: AppServices;
  let configHome: string;
  let out: string;
  /** Cookie and token values Dify issued for a login with the password. */
  const issued: string[] = [];

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'diag' });
    await putSecretKeyInStack(stack.dir, SECRET_KEY);
    await stack.up();

    double = await startDifyConsoleDouble({ password: PASSWORD });
    const ollamaHost = `127.0.0.1:${await freePort()}`;
    ollamaUrl = `http://${ollamaHost}`;
    ollama = spawn(OLLAMA, ['serve'], {
      env: { ...process.env, OLLAMA_HOST: ollamaHost },
      stdio: 'ignore',
      detached: true,
    });
    for (let i = 0; i < 200 && (await fetch(`${ollamaUrl}/`).catch(() => null))?.ok !== true; i++)
      await new Promise((r) => setTimeout(r, 50));

    configHome = await createTempDir('dst-diag-int-');
    out = await createTempDir('dst-diag-out-');
    services = await servicesInAppData(configHome, {
      difyDir: stack.dir,
      difyUrl: double.url,
      difyEmail: double.options.email,
      ollamaHost,
      nvidiaSmiPath: NVIDIA_SMI,
      language: 'en',
    });
  });

  afterAll(async () => {
    await services?.dispose();
    if (ollama?.pid) {
      try {
        process.kill(-ollama.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await double?.close();
    await stack?.dispose();
    await removeTempDir(configHome);
    await removeTempDir(out);
  });

  it('writes versions, images, status and doctor results, and no secret anywhere', async () => {
    // The Settings page's path: the password entered, then "Test login" (the double issues cookies).
    await services.plugins.setConnection({ email: double.options.email, password: PASSWORD });
    await expect(services.plugins.testLogin()).resolves.toMatchObject({ installedCount: 0 });
    // A login of our own, to know cookie values Dify issues; a service that logged such a response
    // (its Set-Cookie lines, its body) must still leave no value in the log.
    const res = await fetch(`${double.url}/console/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email: double.options.email,
        password: Buffer.from(PASSWORD).toString('base64'),
        remember_me: false,
      }),
    });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    for (const c of cookies) issued.push(/^[^=]+=([^;]*)/.exec(c)?.[1] ?? '');
    expect(issued.filter((v) => v.length >= 16).length).toBeGreaterThanOrEqual(3);
    for (const c of cookies) services.diagnostics.log.info('dify.response', { header: `Set-Cookie: ${c}` });
    services.diagnostics.log.warn('dify.request', {
      body: JSON.stringify({ email: double.options.email, password: PASSWORD }),
      cookie: `access_token=${issued[0]}; csrf_token=${issued[2]}`,
      env: `SECRET_KEY=${SECRET_KEY}`,
    });
    await services.processes.refresh();

    const file = join(out, 'diagnostics.zip');
    const result = await services.diagnostics.exportTo(file).done;
    expect(result.path).toBe(file);
    const zip = await readZipTexts(file);

    // versions.json: what the docker CLI itself says, the images per service, Ollama, the GPU.
    const versions = JSON.parse(zip['versions.json']!) as Record<string, Record<string, unknown>>;
    const engine = JSON.parse(
      execFileSync('docker', ['version', '--format', '{{json .Server}}'], { encoding: 'utf8' }),
    ) as { Version: string; ApiVersion: string };
    expect(versions.docker).toMatchObject({ version: engine.Version, apiVersion: engine.ApiVersion });
    const composeVersion = execFileSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' })
      .trim()
      .replace(/^v/, '');
    expect(versions.compose).toMatchObject({ flavor: 'v2', version: composeVersion, used: 'project' });
    const images = versions.difyImages as { project: string; services: Array<Record<string, unknown>> };
    expect(images.project).toBe(stack.projectName);
    const byService = Object.fromEntries(images.services.map((s) => [s.service, s]));
    expect(byService.api).toMatchObject({ image: 'dify-stack-test/busybox', tag: '1', state: 'running' });
    expect(Object.keys(byService)).toEqual(
      expect.arrayContaining(['api', 'worker', 'plugin_daemon', 'nginx']),
    );
    expect(versions.ollama).toMatchObject({ version: '0.33.0', url: ollamaUrl });
    expect(versions.a1111).toMatchObject({ error: 'NOT_RUNNING' });
    expect(versions.nvidia).toMatchObject({
      driver: '576.52',
      gpus: [{ name: 'NVIDIA GeForce RTX 4070', driver: '576.52', memoryTotalMiB: 12282 }],
    });
    expect(versions.runtime).toMatchObject({ electron: 'cli', node: process.versions.node });

    // status.json: the app snapshot, read now.
    const status = JSON.parse(zip['status.json']!) as {
      components: Array<{ id: string; state: string }>;
      project: { name: string } | null;
    };
    expect(status.project?.name).toBe(stack.projectName);
    expect(status.components.find((c) => c.id === 'docker')?.state).toBe('running');
    expect(status.components.find((c) => c.id === 'ollama')?.state).toBe('running');
    expect(JSON.parse(zip['doctor.json']!)).toMatchObject({ source: expect.any(String) });
    expect(zip['settings.json']).toContain(stack.dir);
    expect(zip['app-logs/app.log']).toContain('dify.response');

    // The secret scan: the zip's every entry and the app log's every file.
    const secrets = [PASSWORD, ...base64Forms(PASSWORD), SECRET_KEY, ...issued.filter((v) => v.length >= 8)];
    expect(found(Object.values(zip).join('\n'), secrets)).toEqual([]);
    const logDir = join(configHome, APP_DIR_NAME, 'logs');
    await services.diagnostics.log.flush();
    for (const name of (await fs.readdir(logDir)).filter((n) => /^(app|cli)/.test(n))) {
      const bytes = await fs.readFile(join(logDir, name));
      const hits = secrets.filter(
        (n) => bytes.includes(Buffer.from(n, 'utf8')) || bytes.includes(Buffer.from(n, 'utf16le')),
      );
      expect({ name, hits }).toEqual({ name, hits: [] });
    }
  });

  it('dify-stack diagnostics -o FILE writes the zip from a fresh process', async () => {
    const file = join(out, 'from-cli.zip');
    const run = await runCliProcess(['diagnostics', '-o', file], {
      home: configHome,
      xdgConfigHome: configHome,
      baseEnv: process.env,
      env: { DIFY_PASSWORD: '' },
    });
    expect(run.stderr).toContain('Writing the zip');
    expect(run.stdout.trim()).toBe(`Saved to ${file}`);
    expect(run.code).toBe(0);
    const zip = await readZipTexts(file);
    const versions = JSON.parse(zip['versions.json']!) as Record<string, Record<string, unknown>>;
    expect(versions.app).toMatchObject({ program: 'cli' });
    expect(versions.runtime).toMatchObject({ electron: 'cli' });
    expect(versions.ollama).toMatchObject({ version: '0.33.0' });
    expect(zip['app-logs/cli.log']).toMatch(/\[\d+\] program\.started program=cli/);
    expect(found(Object.values(zip).join('\n'), [PASSWORD, SECRET_KEY])).toEqual([]);

    // A folder that does not exist: exit 1 with the reason, no file.
    const bad = await runCliProcess(['diagnostics', '-o', join(out, 'missing', 'x.zip')], {
      home: configHome,
      xdgConfigHome: configHome,
      baseEnv: process.env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('could not be written');
  });
});
