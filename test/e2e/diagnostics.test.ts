/**
 * Settings → Diagnostics in Chromium over the real services: "Export diagnostics…" runs the export job
 * (the harness's save dialog picks a file in its temp folder), the section says where the zip went and
 * offers "Show in folder", and the zip holds what the README promises — with Docker unreachable, which
 * is recorded, not fatal. Japanese and English, with screenshots of the section.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZipTexts } from '../helpers/diagnostics-zip';
import { useTempDir } from '../helpers/use-temp-dir';
import { SCREENSHOT_DIR } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('diagnostics', 'browser');
const workDir = useTempDir('dst-e2e-diagnostics-');
const harness = useHarness('test');

const CASES = [
  {
    language: 'ja' as const,
    settings: '設定',
    export: '診断情報を書き出す…',
    saved: /^(.+\.zip) に保存しました$/,
    show: 'フォルダーに表示',
    appLog: 'アプリのログ',
  },
  {
    language: 'en' as const,
    settings: 'Settings',
    export: 'Export diagnostics…',
    saved: /^Saved to (.+\.zip)$/,
    show: 'Show in folder',
    appLog: "The app's log",
  },
];

describe.skipIf(skip)('Settings → Diagnostics', () => {
  it.each(CASES)('exports the zip and shows where it went ($language)', async (c) => {
    const work = workDir();
    const h = await harness.open({
      // The app's data (and so its log) in the test's folder; no engine: the export records that.
      env: {
        ...process.env,
        XDG_CONFIG_HOME: work,
        DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}`,
      },
      settings: { language: c.language, difyEmail: 'taro@example.com' },
    });
    const { page } = h;
    await nav(page, c.settings).click();
    const section = page.locator('section.diagnostics');
    await section.scrollIntoViewIfNeeded();
    expect(await text(section.locator('.diagnostics__log dt'))).toBe(c.appLog);
    expect(await text(section.locator('.diagnostics__log code'))).toBe(
      join(work, 'dify-stack-tray', 'logs', 'app.log'),
    );

    await button(page, c.export).click();
    const saved = section.locator('.diagnostics__saved span');
    await expect.poll(() => text(saved), { timeout: 60_000 }).toMatch(c.saved);
    const file = c.saved.exec(await text(saved))?.[1] ?? '';
    expect(existsSync(file)).toBe(true);
    await expectNoRawKeys(page);

    const zip = await readZipTexts(file);
    expect(Object.keys(zip)).toEqual(
      expect.arrayContaining([
        'README.txt',
        'versions.json',
        'settings.json',
        'status.json',
        'doctor.json',
        'app-logs/app.log',
      ]),
    );
    const versions = JSON.parse(zip['versions.json']!) as Record<string, { error?: string }>;
    expect(versions.docker?.error).toBe('DOCKER_NOT_RUNNING');
    expect(zip['settings.json']).toContain('***@example.com');
    expect(Object.values(zip).join('\n')).not.toContain('taro@');

    await button(page, c.show).click();
    await expect.poll(() => h.shownInFolder).toEqual([file]);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.waitForTimeout(150);
    await section.screenshot({
      path: join(SCREENSHOT_DIR, `settings-diagnostics.${c.language}.png`),
      animations: 'disabled',
      caret: 'hide',
    });
  });
});
