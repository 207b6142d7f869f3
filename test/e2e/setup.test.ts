/**
 * The first-run setup in Chromium over the real services: detection against the REAL engine (two
 * containers the test creates, carrying compose labels that point at Dify-shaped temp folders — two,
 * so the user has to pick), the Ollama double running as a server, the Dify console double for the
 * login test. The wizard opens by itself on a fresh app-data folder and never after it was finished;
 * every step walked in Japanese with one skipped; the dashboard's "not configured yet" panel leads
 * into the skipped step and goes away once nothing is left. In English: Skip setup, then Settings'
 * "Open setup". Screenshots of each.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore } from '../../electron/plugins/secrets';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../doubles/dify-console';
import { testCipher } from '../doubles/test-cipher';
import { freePort } from '../helpers/free-port';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image';
import { useTempDir } from '../helpers/use-temp-dir';
import type { Harness, HarnessOptions } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('setup', 'engine');
const DOUBLES = resolve(__dirname, '../doubles');
const FIXTURE = resolve(__dirname, '../fixtures/dify-stack');
const A1111_DIR = join(DOUBLES, 'a1111');
const WAIT = { timeout: 30_000, interval: 100 };

const workDir = useTempDir('dst-e2e-setup-', 'all');
let work: string;
/** The two Dify folders the labelled containers point at; the user picks `mine`. */
const dify = { mine: '', other: '' };
const containers: string[] = [];
let ollama: ChildProcess | null = null;
let ollamaHost = '';
let console_: DifyConsoleDouble;

/** A stopped container as `docker compose` labels it: detection reads running and stopped ones alike. */
function labelledContainer(dir: string, project: string): string {
  return execFileSync(
    'docker',
    [
      'create',
      '--label',
      `com.docker.compose.project=${project}`,
      '--label',
      `com.docker.compose.project.working_dir=${dir}`,
      '--label',
      'com.docker.compose.service=api',
      TEST_IMAGE,
      'sleep',
      '600',
    ],
    { encoding: 'utf8' },
  ).trim();
}

beforeAll(async () => {
  if (skip) return;
  work = workDir();
  ensureTestImage();
  const suffix = Math.random().toString(36).slice(2, 8);
  for (const name of ['mine', 'other'] as const) {
    dify[name] = join(work, `dify-${name}`, 'docker');
    cpSync(FIXTURE, dify[name], { recursive: true });
    containers.push(labelledContainer(dify[name], `dstsetup${name}${suffix}`));
  }
  ollamaHost = `127.0.0.1:${await freePort()}`;
  ollama = spawn(join(DOUBLES, 'ollama', 'ollama'), ['serve'], {
    env: { ...process.env, OLLAMA_HOST: ollamaHost },
    stdio: 'ignore',
  });
  console_ = await startDifyConsoleDouble();
});

afterAll(async () => {
  if (containers.length > 0) execFileSync('docker', ['rm', '-f', ...containers], { stdio: 'ignore' });
  ollama?.kill();
  await console_?.close();
});

/** A newcomer's start: no settings file, Ollama found through OLLAMA_HOST, the password kept encrypted. */
function firstRun(systemLocale: string): HarnessOptions {
  return {
    firstRun: true,
    systemLocale,
    env: { ...process.env, OLLAMA_HOST: ollamaHost, XDG_CONFIG_HOME: join(work, `xdg-${systemLocale}`) },
    secrets: new EncryptedFileSecretStore(join(work, `secrets-${systemLocale}.json`), testCipher()),
  };
}

const current = (page: Page) => page.locator('[data-setup-current]').getAttribute('data-setup-current');
const settingsOf = (h: Harness) => JSON.parse(readFileSync(h.configFile, 'utf8')) as Record<string, unknown>;
const needs = (page: Page) =>
  page
    .locator('[data-setup-need]')
    .evaluateAll((items) => items.map((i) => i.getAttribute('data-setup-need')));

describe.skipIf(skip)('first-run setup', () => {
  const harness = useHarness('test');

  it('opens on a fresh start, walks every step in Japanese (one skipped), leads back from the dashboard, and stays closed after', async () => {
    // As on Windows, where "start with Windows" is offered (Electron has login items there).
    const h = await harness.open({
      ...firstRun('ja-JP'),
      appPlatform: 'win32',
      viewport: { width: 1100, height: 900 },
    });
    const { page, screenshot } = h;

    // 1. Docker: the engine this machine runs, reachable.
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('セットアップ');
    expect(await current(page)).toBe('docker');
    await expect
      .poll(() => page.locator('[data-setup-docker]').getAttribute('data-setup-docker'), WAIT)
      .toBe('running');
    expect(await text(page.locator('.setup-step'))).toContain('Docker エンジンに接続できます。');
    await expectNoRawKeys(page);
    await screenshot('setup.ja');
    await button(page, '次へ').click();

    // 2. The Dify folder: two projects in the labels, so the list to pick from.
    expect(await current(page)).toBe('difyDir');
    const mine = page.locator('.detected__item', { hasText: dify.mine });
    await mine.waitFor({ timeout: WAIT.timeout });
    expect(await page.locator('.detected__item', { hasText: dify.other }).count()).toBe(1);
    await screenshot('setup-difydir.ja');
    await mine.getByRole('button', { name: 'これを使う' }).click();
    expect(await page.getByLabel('Dify の docker フォルダー').inputValue()).toBe(dify.mine);
    await expect.poll(() => button(page, '次へ').isEnabled(), WAIT).toBe(true);
    await button(page, '次へ').click();
    await expect.poll(() => current(page), WAIT).toBe('programs');
    expect(settingsOf(h).difyDir).toBe(dify.mine);

    // 3. Ollama runs (the double at OLLAMA_HOST); A1111 is left for later: this step is skipped.
    await expect
      .poll(() => text(page.locator('[data-setup-running="ollama"]')), WAIT)
      .toContain(`http://${ollamaHost} で稼働中`);
    // Running, so its executable not found is a quiet note, not an error in red.
    await expect
      .poll(() => text(page.locator('[data-verdict="not-needed"]')), WAIT)
      .toContain('今は不要です');
    await screenshot('setup-programs.ja');
    await button(page, 'このステップをスキップ').click();
    expect(await current(page)).toBe('difyLogin');
    expect(settingsOf(h).a1111Dir ?? '').toBe('');

    // 4. Dify URL and login, tested against the console double; the password never in the settings.
    await page.getByLabel('Dify の URL', { exact: true }).fill(console_.url);
    await page.getByLabel('メールアドレス', { exact: true }).fill(console_.options.email);
    await page.getByLabel('パスワード', { exact: true }).fill(console_.options.password);
    await button(page, 'ログインを確認').click();
    await expect.poll(() => text(page.locator('[data-login-ok]')), WAIT).toContain('ログインできました');
    expect(readFileSync(h.configFile, 'utf8')).not.toContain(console_.options.password);
    await screenshot('setup-login.ja');
    await button(page, '次へ').click();

    // 5. Start at login and the stack at launch; Finish saves them with setupDone.
    expect(await current(page)).toBe('startup');
    await page.getByLabel('Windows へのサインイン時にこのアプリを起動する').check();
    await page.getByLabel('アプリの起動時にスタックを起動する').check();
    await screenshot('setup-startup.ja');
    await button(page, '完了').click();
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('ダッシュボード');
    expect(settingsOf(h)).toMatchObject({
      setupDone: true,
      startAtLogin: true,
      startStackOnLaunch: true,
      difyUrl: console_.url,
      difyEmail: console_.options.email,
    });

    // The dashboard says what the skipped step left, and leads into that step.
    await expect.poll(() => needs(page), WAIT).toEqual(['a1111']);
    expect(await text(page.locator('[data-setup-panel]'))).toContain('AUTOMATIC1111 が稼働しておらず');
    // A service `up` has not created yet has nothing to restart: its Restart is off and says why.
    const restartWorker = page.getByRole('button', { name: 'worker を再起動' });
    expect(await restartWorker.isDisabled()).toBe(true);
    expect(await restartWorker.getAttribute('title')).toContain('まだ作成されていません');
    await screenshot('setup-panel.ja');
    await page.getByRole('button', { name: 'AUTOMATIC1111 を設定する' }).click();
    await expect.poll(() => current(page), WAIT).toBe('programs');
    // A folder that is not an A1111 install keeps Next disabled (the same rule as Settings' Save).
    await page.getByLabel('AUTOMATIC1111 のフォルダー').fill(FIXTURE);
    await expect
      .poll(() => text(page.locator('.setup-step')), WAIT)
      .toContain('AUTOMATIC1111 のフォルダーではありません');
    await expect.poll(() => button(page, '次へ').isEnabled(), WAIT).toBe(false);
    await page.getByLabel('AUTOMATIC1111 のフォルダー').fill(A1111_DIR);
    await expect.poll(() => text(page.locator('.setup-step')), WAIT).toMatch(/webui\.sh が見つかりました/);
    await button(page, '次へ').click();
    await expect.poll(() => current(page), WAIT).toBe('difyLogin');
    expect(settingsOf(h).a1111Dir).toBe(A1111_DIR);
    // Every step done: its number turned into a check, and the dashboard's panel is gone.
    await expect.poll(() => page.locator('[data-setup-pending]').count(), WAIT).toBe(0);
    await nav(page, 'ダッシュボード').click();
    await page.locator('[data-component="dify"]').waitFor();
    await expect.poll(() => page.locator('[data-setup-panel]').count(), WAIT).toBe(0);

    // A new window after finishing opens on the dashboard, not on the wizard.
    await page.reload();
    await page.locator('[data-component="dify"]').waitFor();
    expect(await text(page.locator('h1'))).toBe('ダッシュボード');
    await page.waitForTimeout(300);
    expect(await text(page.locator('h1'))).toBe('ダッシュボード');
    await expectNoRawKeys(page);
  });

  it('Skip setup (English) leaves it done, the panel lists what is missing, and Settings opens it again', async () => {
    const h = await harness.open(firstRun('en-US'));
    const { page, screenshot } = h;
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('Setup');
    await expect
      .poll(() => page.locator('[data-setup-docker]').getAttribute('data-setup-docker'), WAIT)
      .toBe('running');
    await expectNoRawKeys(page);
    await screenshot('setup.en');

    await button(page, 'Skip setup').click();
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('Dashboard');
    expect(settingsOf(h).setupDone).toBe(true);
    // Two Difys in the labels and none chosen; no login; A1111 not set up. Ollama runs: not listed.
    await expect.poll(() => needs(page), WAIT).toEqual(['difyDir', 'a1111', 'difyLogin']);
    await screenshot('setup-panel.en');

    await page.getByRole('button', { name: 'Set up the Dify folder' }).click();
    await expect.poll(() => current(page), WAIT).toBe('difyDir');

    await nav(page, 'Settings').click();
    await button(page, 'Open setup').click();
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('Setup');
    expect(await current(page)).toBe('docker');
    // Keyboard: the step list is buttons in tab order; Enter on one opens it.
    await page.locator('[data-setup-step="startup"]').focus();
    await page.keyboard.press('Enter');
    expect(await current(page)).toBe('startup');
    // Not Windows or macOS: no login item to offer, only the stack at launch.
    expect(await page.getByLabel('Start the app when I sign in').count()).toBe(0);
    expect(await page.getByLabel('Start the stack when the app starts').isChecked()).toBe(false);
  });

  it('without an engine the Docker step says what to do, and Check again looks again', async () => {
    const options = firstRun('en-US');
    const h = await harness.open({
      ...options,
      appPlatform: 'win32',
      env: { ...options.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
    });
    const { page, screenshot } = h;
    await expect.poll(() => text(page.locator('h1')), WAIT).toBe('Setup');
    const callout = page.locator('.setup-step .callout');
    await callout.waitFor({ timeout: WAIT.timeout });
    expect(await text(callout)).toContain('Start Docker Desktop from the Start menu');
    expect(await page.locator('[data-setup-step="docker"]').getAttribute('data-setup-pending')).toBe('true');
    const updated = h.services.stack.getSnapshot().updatedAt;
    await button(page, 'Check again').click();
    await expect.poll(() => h.services.stack.getSnapshot().updatedAt, WAIT).toBeGreaterThan(updated);
    await expect.poll(() => button(page, 'Check again').isEnabled(), WAIT).toBe(true);
    expect(await page.locator('[data-setup-docker]').getAttribute('data-setup-docker')).toBe('unavailable');
    await expectNoRawKeys(page);
    await screenshot('setup-docker-down.en');
    // Skipping the step goes on; nothing is saved by it.
    await button(page, 'Skip this step').click();
    expect(await current(page)).toBe('difyDir');
  });
});
