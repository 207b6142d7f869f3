/**
 * The dashboard and settings pages without a Docker engine behind them (DOCKER_HOST points at a socket
 * nobody listens on): the "Docker is not running" and "Dify folder not set" states, folder and URL
 * validation, saving, the language switch and the settings-file warning — in Japanese and English.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/use-temp-dir';
import type { Harness, HarnessOptions } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('pages', 'browser');

const workDir = useTempDir('dst-e2e-pages-', 'all');
let noDocker: NodeJS.ProcessEnv;
/** Folders for the settings page to judge. */
const dirs = { valid: '', noCompose: '', noEnv: '', missing: '' };

beforeAll(() => {
  const work = workDir();
  noDocker = { ...process.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` };
  for (const name of ['valid', 'noCompose', 'noEnv'] as const) {
    dirs[name] = join(work, name, 'docker');
    mkdirSync(dirs[name], { recursive: true });
  }
  writeFileSync(join(dirs.valid, 'docker-compose.yaml'), 'services:\n  api:\n    image: busybox\n');
  writeFileSync(join(dirs.valid, '.env'), 'EXPOSE_NGINX_PORT=80\n');
  writeFileSync(join(dirs.noCompose, '.env'), '');
  writeFileSync(join(dirs.noEnv, 'docker-compose.yaml'), 'services: {}\n');
  dirs.missing = join(work, 'no-such-folder');
});

/** A fresh window per test, on services that find no Docker engine. */
const harness = useHarness('test');
async function open(options: HarnessOptions): Promise<Harness> {
  const h = await harness.open({ env: noDocker, ...options });
  await h.page.locator('h1').waitFor();
  return h;
}

const card = (page: Page, id: string) => page.locator(`[data-component="${id}"]`);

describe.skipIf(skip)('pages without a Docker engine', () => {
  it('dashboard: Docker not running, in Japanese, with what to do', async () => {
    const { page, screenshot } = await open({ systemLocale: 'ja-JP', settings: { difyDir: dirs.valid } });
    await expect.poll(() => text(card(page, 'docker').locator('.badge'))).toBe('利用不可');
    expect(await text(page.locator('[data-problem="dockerDown"]'))).toContain('Docker が起動していません');
    expect(await page.locator('[data-problem="difyDirNotSet"]').count()).toBe(0);
    // Not on Windows: Start cannot launch the engine here, so it is disabled like Stop.
    expect(await button(page, 'スタックを起動').isDisabled()).toBe(true);
    expect(await button(page, 'スタックを停止').isDisabled()).toBe(true);
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await expectNoRawKeys(page);
    await screenshot('dashboard-docker-down.ja');
  });

  it('dashboard: the language setting wins over the OS locale (English on a Japanese system)', async () => {
    const { page, screenshot } = await open({
      systemLocale: 'ja-JP',
      settings: { difyDir: dirs.valid, language: 'en' },
    });
    await expect.poll(() => text(card(page, 'docker').locator('.badge'))).toBe('Unavailable');
    expect(await text(page.locator('[data-problem="dockerDown"]'))).toContain('Docker is not running');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectNoRawKeys(page);
    await screenshot('dashboard-docker-down.en');
  });

  it('dashboard on Windows: Start stays available because it launches Docker Desktop', async () => {
    const { page, screenshot } = await open({
      systemLocale: 'ja-JP',
      appPlatform: 'win32',
      settings: { difyDir: dirs.valid },
    });
    await expect.poll(() => button(page, 'スタックを起動').isEnabled()).toBe(true);
    expect(await text(page.locator('[data-problem="dockerDown"]'))).toContain(
      'Docker Desktop を起動してから',
    );
    await screenshot('dashboard-docker-down-windows.ja');
  });

  it('dashboard: no Dify folder → says so and leads to Settings', async () => {
    const { page, screenshot } = await open({ systemLocale: 'en-US' });
    const callout = page.locator('[data-problem="difyDirNotSet"]');
    await callout.waitFor();
    expect(await text(callout)).toContain('The Dify folder is not set');
    await expectNoRawKeys(page);
    await screenshot('dashboard-no-folder.en');
    await callout.getByRole('button', { name: 'Open Settings' }).click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Settings');
    // The page heading takes focus so keyboard users start at the top of the new page.
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('H1');
  });

  it('dark mode renders the same dashboard with the dark palette', async () => {
    const { page, screenshot } = await open({ systemLocale: 'ja-JP', colorScheme: 'dark' });
    await page.locator('[data-problem="difyDirNotSet"]').waitFor();
    const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(21, 23, 27)');
    await screenshot('dashboard-docker-down-dark.ja');
  });

  it('settings: folder validation says exactly what is wrong, Browse fills the field, URL is checked', async () => {
    const h = await open({ systemLocale: 'ja-JP' });
    const { page } = h;
    await nav(page, '設定').click();
    const dir = page.getByLabel('Dify の docker フォルダー');
    const dirMessage = page.locator('.field__message').first();

    await expect.poll(() => text(dirMessage)).toContain('空欄のままにすると');

    await dir.fill(dirs.missing);
    await expect.poll(() => text(dirMessage)).toBe(`フォルダー ${dirs.missing} が見つかりません。`);
    expect(await dir.getAttribute('aria-invalid')).toBe('true');

    await dir.fill(dirs.noCompose);
    await expect.poll(() => text(dirMessage)).toContain('docker-compose.yaml がありません');

    await dir.fill(dirs.noEnv);
    await expect.poll(() => text(dirMessage)).toContain('.env ファイルがありません');
    expect(await button(page, '保存').isDisabled()).toBe(true);
    await h.screenshot('settings-invalid-folder.ja');

    h.setPickedFolder(dirs.valid);
    await button(page, '参照…').click();
    await expect.poll(() => dir.inputValue()).toBe(dirs.valid);
    await expect.poll(() => text(dirMessage)).toContain('が見つかりました');

    const url = page.getByLabel('Dify の URL');
    const urlMessage = page.locator('.field__message').nth(1);
    await url.fill('ftp://example');
    await expect
      .poll(() => text(urlMessage))
      .toBe('http:// または https:// で始まるアドレスを入力してください。');
    await url.fill('localhost');
    await expect.poll(() => text(urlMessage)).toContain('URL の形式が正しくありません');
    expect(await button(page, '保存').isDisabled()).toBe(true);
    await h.screenshot('settings-invalid-url.ja');

    await url.fill('http://localhost:8080');
    await expect.poll(() => button(page, '保存').isEnabled()).toBe(true);
    await button(page, '保存').click();
    // The settings form's own status (the GPU monitor section below has its own).
    await expect.poll(() => text(page.locator('.form-actions__status').first())).toBe('保存しました。');
    const saved = JSON.parse(readFileSync(h.configFile, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ difyDir: dirs.valid, difyUrl: 'http://localhost:8080' });
    await expectNoRawKeys(page);
    await h.screenshot('settings-saved.ja');

    // Open Dify uses the saved URL.
    await nav(page, 'ダッシュボード').click();
    await button(page, 'Dify を開く').click();
    await expect.poll(() => h.openedUrls).toEqual(['http://localhost:8080']);
  });

  it('keyboard only: Tab walks the page in reading order and Enter saves the settings form', async () => {
    const h = await open({ systemLocale: 'en-US', settings: { difyDir: dirs.valid } });
    const { page } = h;
    const focused = () =>
      page.evaluate<string>(
        'document.activeElement.getAttribute("aria-label") || document.activeElement.textContent || document.activeElement.id',
      );
    // The dashboard's heading has focus; the next stop is the first header action.
    await page.keyboard.press('Tab');
    expect(await focused()).toContain('Refresh');
    await nav(page, 'Settings').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page.locator('h1'))).toBe('Settings');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('INPUT');
    // Save stays disabled while the folder is being checked (debounced): wait for its verdict first.
    await expect.poll(() => page.getByText('Checking…').count()).toBe(0);
    const url = page.getByLabel('Dify URL');
    await url.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('http://127.0.0.1:8080');
    await page.keyboard.press('Enter');
    await expect.poll(() => text(page.locator('.form-actions__status').first())).toBe('Saved.');
    expect(JSON.parse(readFileSync(h.configFile, 'utf8'))).toMatchObject({
      difyUrl: 'http://127.0.0.1:8080',
    });
  });

  it('settings: Detect without an engine shows the reason instead of an empty list', async () => {
    const { page, screenshot } = await open({ systemLocale: 'en-US' });
    await nav(page, 'Settings').click();
    await button(page, 'Detect').click();
    const error = page.locator('.settings-form .error-box');
    await error.waitFor();
    expect(await error.getAttribute('data-error-code')).toMatch(/^DOCKER_/);
    await expectNoRawKeys(page);
    await screenshot('settings-detect-no-docker.en');
  });

  it('settings: switching the language applies at once, without a restart', async () => {
    const h = await open({ systemLocale: 'ja-JP' });
    const { page } = h;
    await nav(page, '設定').click();
    await page.getByLabel('表示言語').selectOption('en');
    await button(page, '保存').click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Settings');
    expect(await text(page.locator('nav'))).toContain('Dashboard');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(JSON.parse(readFileSync(h.configFile, 'utf8'))).toMatchObject({ language: 'en' });
    await h.screenshot('settings-switched.en');

    await page.getByLabel('Language').selectOption('system');
    await button(page, 'Save').click();
    await expect.poll(() => text(page.locator('h1'))).toBe('設定');
  });

  it('settings: an unreadable settings file is moved aside and reported, with both paths, and defaults are shown', async () => {
    const h = await open({ systemLocale: 'ja-JP', settingsText: '{ "difyDir": "C:\\broken' });
    const { page } = h;
    await nav(page, '設定').click();
    const warning = page.locator('.error-box--warning');
    await warning.waitFor();
    expect(await warning.getAttribute('data-error-code')).toBe('SETTINGS_MOVED_ASIDE');
    expect(await text(warning)).toContain(h.configFile);
    expect(await text(warning)).toMatch(/settings\.corrupt-\d{8}-\d{6}\.json/);
    expect(await text(page.locator('.settings-path'))).toContain(h.configFile);
    expect(await page.getByLabel('Dify の URL').inputValue()).toBe('http://localhost');
    await expectNoRawKeys(page);
    await h.screenshot('settings-file-warning.ja');
  });

  it('settings: a notification toggle saves its own key at once', async () => {
    const h = await open({ systemLocale: 'ja-JP', settings: { difyDir: dirs.valid } });
    const { page } = h;
    await nav(page, '設定').click();
    const section = page.locator('.notification-settings');
    const vram = section.getByLabel('VRAM の使用率が警告のしきい値を超え続けたとき');
    expect(await vram.isChecked()).toBe(true);
    await vram.uncheck();
    await section.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    const saved = JSON.parse(readFileSync(h.configFile, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ version: 1, notifyVram: false, notifyStack: true, difyDir: dirs.valid });
    expect(await vram.isChecked()).toBe(false);
    await expectNoRawKeys(page);
    await section.scrollIntoViewIfNeeded();
    await h.screenshot('settings-notifications.ja');
  });

  it('settings: a file from a newer version is read, not written, and the toggles say so', async () => {
    const newer = JSON.stringify({ version: 99, language: 'en', notifyJobs: false, laterField: 1 });
    const h = await open({ systemLocale: 'en-US', settingsText: newer });
    const { page } = h;
    await nav(page, 'Settings').click();
    const warning = page.locator('.error-box--warning');
    await warning.waitFor();
    expect(await warning.getAttribute('data-error-code')).toBe('SETTINGS_NEWER_VERSION');
    const section = page.locator('.notification-settings');
    const jobs = section.getByLabel('An operation finished while the window was hidden');
    expect(await jobs.isChecked()).toBe(false);
    expect(await jobs.isDisabled()).toBe(true);
    expect(readFileSync(h.configFile, 'utf8')).toBe(newer);
    await h.screenshot('settings-newer-file.en');
  });
});
