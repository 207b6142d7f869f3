/**
 * Remote debugging on the Plugins page, over the real main-side services and a real python3/venv,
 * against the Dify double's console API and remote-debug port: the Debug switch of a card goes to
 * "Connected" (Dify lists the plugin as remote debugging), a save restarts it, a plugin that fails at
 * import shows as crashed with its last lines, and the switch off leaves no process — in English and
 * Japanese, with screenshots.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../doubles/dify-console';
import { copyPrepared, prepareTemplate, processesIn } from '../helpers/debug-plugin';
import { useTempDir } from '../helpers/use-temp-dir';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import type { Harness } from './harness';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('plugin-debug', 'browser');

const workDir = useTempDir('dst-e2e-plugin-debug-', 'all');
let double: DifyConsoleDouble;
let echoDir: string;
let brokenDir: string;

beforeAll(async () => {
  const work = workDir();
  const template = await prepareTemplate(join(work, 'template'));
  echoDir = await copyPrepared(template, join(work, 'debug-echo'));
  // Another plugin (its own plugin_id) that fails while importing its tool.
  brokenDir = await copyPrepared(template, join(work, 'broken-tool'));
  const manifest = join(brokenDir, 'manifest.yaml');
  await fs.writeFile(
    manifest,
    (await fs.readFile(manifest, 'utf8'))
      .replace('name: debug_echo', 'name: broken_tool')
      .replace('en_US: Debug echo', 'en_US: Broken tool')
      .replace('ja_JP: デバッグ用エコー', 'ja_JP: 壊れたツール'),
  );
  const main = join(brokenDir, 'main.py');
  await fs.writeFile(
    main,
    'from tools.echo import EchoTool\nEchoTool.missing_setting()\n' + (await fs.readFile(main, 'utf8')),
  );
  double = await startDifyConsoleDouble({ remoteDebug: true });
});

afterAll(async () => {
  await double?.close();
});

const card = (page: Page, dir: string) => page.locator(`[data-plugin-dir="${dir}"]`);
const phaseOf = (page: Page, dir: string) =>
  card(page, dir).locator('[data-debug-phase]').getAttribute('data-debug-phase');

describe.skipIf(skip)('Plugin debugging on the Plugins page', () => {
  const session = useHarness('suite');
  let harness: Harness;

  it('turns Debug on, connects, restarts on save, shows a crash, and stops cleanly (en, ja)', async () => {
    harness = await session.open({
      env: {
        ...process.env,
        DOCKER_HOST: `unix://${join(workDir(), 'no-docker.sock')}`,
        XDG_CONFIG_HOME: join(workDir(), 'config-home'),
        DIFY_PASSWORD: double.options.password,
      },
      settings: {
        difyUrl: double.url,
        difyEmail: double.options.email,
        language: 'en',
        pluginDirs: [echoDir, brokenDir],
      },
    });
    const { page, screenshot, services } = harness;
    await page.locator('h1').waitFor();
    await nav(page, 'Plugins').click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Plugins');

    await card(page, echoDir).getByRole('switch', { name: 'Debug' }).click();
    await expect.poll(() => phaseOf(page, echoDir), { timeout: 60_000 }).toBe('connected');
    expect(await text(card(page, echoDir).locator('.badge').last())).toContain('Connected');
    // Dify lists it as remote debugging (the card reads Dify's list again when the state changes).
    // The session may still be making .venv (the previous test removed it) before it connects.
    await expect
      .poll(() => text(card(page, echoDir)), { timeout: 60_000 })
      .toContain('Running from Dify’s remote debugging');
    expect(double.installed().map((p) => [p.plugin_id, p.source])).toEqual([
      ['local_dev/debug_echo', 'remote'],
    ]);

    await fs.appendFile(join(echoDir, 'tools', 'echo.py'), '\n# edited\n');
    await expect
      .poll(() => text(card(page, echoDir).locator('[data-field="restarts"]')))
      .toBe('restarted 1 time');
    await expect.poll(() => phaseOf(page, echoDir)).toBe('connected');

    await card(page, brokenDir).getByRole('switch', { name: 'Debug' }).click();
    await expect.poll(() => phaseOf(page, brokenDir), { timeout: 60_000 }).toBe('crashed');
    await expect
      .poll(() => text(card(page, brokenDir).locator('[data-field="last-lines"]')))
      .toContain("AttributeError: type object 'EchoTool' has no attribute 'missing_setting'");
    expect(await text(card(page, brokenDir))).toContain('Exit code 1');

    await expectNoRawKeys(page);
    await screenshot('plugin-debug.en');

    await services.settings.update({ language: 'ja' });
    await expect.poll(() => text(page.locator('h1'))).toBe('プラグイン');
    expect(await text(card(page, echoDir))).toContain('接続済み');
    expect(await text(card(page, brokenDir))).toContain('異常終了');
    await expectNoRawKeys(page);
    await screenshot('plugin-debug.ja');

    // "Open logs": the log viewer on this folder's debug log (the plugin's output, pip's, our notes).
    await card(page, echoDir).getByRole('button', { name: 'ログを開く' }).click();
    await expect.poll(() => text(page.locator('h1'))).toBe('ログ');
    await expect.poll(() => text(page.locator('main'))).toContain('Installed tool: debug_echo');
    await expect.poll(() => text(page.locator('main'))).toContain('[dify-stack] ▶ run 2');
    await nav(page, 'プラグイン').click();

    await card(page, echoDir).getByRole('switch').click();
    await card(page, brokenDir).getByRole('switch').click();
    await expect.poll(() => phaseOf(page, echoDir)).toBe('stopped');
    await expect.poll(() => phaseOf(page, brokenDir)).toBe('stopped');
    expect(await text(card(page, echoDir))).toContain('停止中');
    expect(processesIn(echoDir)).toEqual([]);
    expect(processesIn(brokenDir)).toEqual([]);
    expect(double.installed()).toEqual([]);
  });

  it('takes the Python for debugging from Settings and says which one was missing', async () => {
    const { page, services } = harness;
    // Without .venv the configured Python must make one.
    await fs.rm(join(echoDir, '.venv'), { recursive: true });
    await nav(page, '設定').click();
    const field = page.getByLabel('プラグインのデバッグに使う Python');
    await field.fill(join(workDir(), 'nowhere', 'python3'));
    await button(page, '保存').click();
    await expect
      .poll(() => services.settings.get().settings.pythonPath)
      .toBe(join(workDir(), 'nowhere', 'python3'));

    await services.plugins.startDebug(echoDir);
    await expect
      .poll(() => services.plugins.debug.state(echoDir)?.error?.code)
      .toBe('PLUGIN_DEBUG_PYTHON_NOT_FOUND');
    await nav(page, 'プラグイン').click();
    await expect
      .poll(() => text(card(page, echoDir).locator('[data-error-code="PLUGIN_DEBUG_PYTHON_NOT_FOUND"]')))
      .toContain('プラグインのデバッグに使う Python');
    await services.plugins.debug.stop(echoDir);
  });

  it('warns about a packaged install, uninstalls it for the session, and offers it back after', async () => {
    const { page, services } = harness;
    await services.settings.update({ language: 'en', pythonPath: '' });
    double.seedInstalled({
      plugin_id: 'local_dev/debug_echo',
      plugin_unique_identifier: `local_dev/debug_echo:0.0.9@${'a'.repeat(64)}`,
      version: '0.0.9',
    });
    await button(page, 'Refresh').click();
    await card(page, echoDir).getByRole('switch', { name: 'Debug' }).click();

    const offer = card(page, echoDir).locator('[data-offer="debug-packaged"]');
    await expect
      .poll(() => text(offer), { timeout: 60_000 })
      .toContain('Version 0.0.9 of this plugin is also installed from a package');
    await offer.getByRole('button', { name: 'Uninstall the package while debugging' }).click();
    // The session may still be making .venv (the previous test removed it) before it connects.
    await expect
      .poll(() => text(card(page, echoDir)), { timeout: 60_000 })
      .toContain('Running from Dify’s remote debugging');
    expect(double.installed().map((p) => [p.version, p.source])).toEqual([['0.1.0', 'remote']]);

    await card(page, echoDir).getByRole('switch').click();
    const back = card(page, echoDir).locator('[data-offer="debug-reinstall"]');
    await expect.poll(() => text(back)).toContain('Package 0.0.9 was uninstalled for debugging');
    await back.getByRole('button', { name: 'Reinstall from this folder' }).click();
    await expect
      .poll(() => double.installed().map((p) => [p.version, p.source]), { timeout: 30_000 })
      .toEqual([['0.1.0', 'package']]);
    await expect.poll(() => back.count()).toBe(0);
    expect(processesIn(echoDir)).toEqual([]);
  });
});
