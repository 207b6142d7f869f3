/**
 * The log viewer against the real log service, the real Docker engine and Compose v2: the test
 * stack's plugin_daemon prints in the daemon's own format, a heartbeat a second, and on demand a
 * plugin failing to start (its Python traceback relayed line by line, then the daemon's ERROR record
 * with a Go stack trace). The viewer follows it, searches it, filters it by level, groups the
 * traceback, exports what it shows; the dashboard's error badge opens it at the last error; a service
 * row opens that service's log (gunicorn's lines written to the api container's stderr). Screenshots
 * ja/en.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { containerIds, createTestStack, failPluginDaemon, type TestStack } from '../helpers/test-stack';
import type { Harness } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('logs', 'engine');
const LONG = { timeout: 60_000, interval: 250 };

/** The relayed traceback's first line, as the daemon prints it (test/fixtures/plugin-daemon.sh). */
const RELAYED_HEADER = 'message="Traceback (most recent call last):"';

const list = (page: Page) => page.locator('.log-list');
const entries = (page: Page) => page.locator('.log-entry');
const shownCount = async (page: Page) =>
  Number(await page.locator('[data-shown]').getAttribute('data-shown'));
const matches = async (page: Page) => page.locator('.logs-search__count').getAttribute('data-matches');

/** The newest heartbeat number drawn in the list. */
async function lastHeartbeat(page: Page): Promise<number> {
  const texts = await page.locator('.log-entry .log-line__text').allInnerTexts();
  const numbers = texts.map((t) => /heartbeat (\d+)/.exec(t)?.[1]).filter(Boolean);
  return Number(numbers[numbers.length - 1] ?? -1);
}

describe.skipIf(skip)('the log viewer', () => {
  let stack: TestStack;
  let h: Harness;
  const harness = useHarness('suite', { afterClose: () => stack?.dispose() });

  /** Writes lines into a service's log: its PID 1's stderr, which the engine records. */
  function printsToStderr(service: string, lines: readonly string[]): void {
    const id = containerIds(stack)[service];
    if (!id) throw new Error(`${stack.projectName} has no ${service} container`);
    execFileSync('docker', ['exec', '-i', id, 'sh', '-c', 'cat > /proc/1/fd/2'], {
      input: `${lines.join('\n')}\n`,
    });
  }

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'e2elogs' });
    await stack.up();
    h = await harness.open({
      systemLocale: 'ja-JP',
      settings: { difyDir: stack.dir },
      viewport: { width: 1200, height: 820 },
    });
  });

  it('opens on the plugin daemon and follows it', async () => {
    const { page } = h;
    await nav(page, 'ログ').click();
    const daemon = page.locator('.logs-source[data-source="service:plugin_daemon"]');
    await expect.poll(() => daemon.getAttribute('aria-pressed'), LONG).toBe('true');
    await expect.poll(() => lastHeartbeat(page), LONG).toBeGreaterThan(0);
    const first = await lastHeartbeat(page);
    // New lines keep arriving at the bottom while the view follows.
    await expect.poll(() => lastHeartbeat(page), LONG).toBeGreaterThan(first + 1);
    expect(await list(page).getAttribute('data-following')).toBe('true');
    await expectNoRawKeys(page);
  });

  it('pauses when scrolled up, and jumps back to the newest with the count of what came', async () => {
    const { page } = h;
    await expect.poll(() => shownCount(page), LONG).toBeGreaterThan(40);
    await list(page).hover();
    await page.mouse.wheel(0, -600);
    await expect.poll(() => list(page).getAttribute('data-following'), LONG).toBe('false');
    const jump = page.locator('.log-list__jump');
    await expect.poll(() => jump.getAttribute('data-new').then(Number), LONG).toBeGreaterThan(0);
    await jump.click();
    await expect.poll(() => list(page).getAttribute('data-following'), LONG).toBe('true');
  });

  it('searches text and regular expressions, and says when an expression is wrong', async () => {
    const { page } = h;
    const box = page.getByRole('searchbox', { name: 'ログを検索' });
    await box.fill('heartbeat 3');
    await expect.poll(() => matches(page).then(Number), LONG).toBeGreaterThan(0);
    // Enter: the next match from the top of the view; again: the one after; Shift+Enter: back.
    const count = page.locator('.logs-search__count');
    const position = async () => Number(/^(\d+) \/ \d+ 件$/.exec(await text(count))?.[1] ?? -1);
    await box.press('Enter');
    await expect.poll(position, LONG).toBeGreaterThan(0);
    const total = Number(await matches(page));
    const first = await position();
    await box.press('Enter');
    await expect.poll(position, LONG).toBe((first % total) + 1);
    await box.press('Shift+Enter');
    await expect.poll(position, LONG).toBe(first);
    expect(await list(page).getAttribute('data-following')).toBe('false');
    await expect.poll(() => page.locator('.log-entry--current .log-hit').count(), LONG).toBeGreaterThan(0);
    expect(await text(page.locator('.log-entry--current .log-hit').first())).toBe('heartbeat 3');
    await button(page, '正規表現').click();
    await box.fill('heartbeat (');
    await expect
      .poll(() => text(page.locator('.logs-search__count')), LONG)
      .toMatch(/^正規表現が正しくありません/);
    await box.fill('heartbeat \\d+$');
    await expect.poll(() => matches(page).then(Number), LONG).toBeGreaterThan(1);
    await button(page, '正規表現').click();
    await box.fill('');
    await page.locator('.log-list__jump').click();
  });

  it('groups a traceback into one error entry, and filters by level', async () => {
    const { page } = h;
    await failPluginDaemon(stack);
    // The plugin's traceback, relayed a line per record: one entry of four lines, an error.
    const traceback = entries(page).filter({ hasText: RELAYED_HEADER });
    await expect.poll(() => traceback.count(), LONG).toBe(1);
    // The entry shows as soon as its first line is in and grows as the rest arrive (CI met it at 2).
    await expect.poll(() => traceback.getAttribute('data-lines'), LONG).toBe('4');
    expect(await traceback.getAttribute('data-level')).toBe('error');
    // The daemon's ERROR record with its Go stack trace: one entry too.
    const failed = entries(page).filter({ hasText: 'local runtime start failed' });
    await expect.poll(() => failed.count(), LONG).toBe(1);
    await expect.poll(async () => Number(await failed.getAttribute('data-lines')), LONG).toBeGreaterThan(1);
    // Errors only: the heartbeats and the WARN record go; the two errors stay.
    for (const level of ['警告', '情報', 'デバッグ', 'レベルなし']) await button(page, level).click();
    await expect.poll(() => shownCount(page), LONG).toBe(2);
    expect(await entries(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-level')))).toEqual([
      'error',
      'error',
    ]);
    await h.screenshot('logs-errors.ja');
    for (const level of ['警告', '情報', 'デバッグ', 'レベルなし']) await button(page, level).click();
    await expect.poll(() => shownCount(page), LONG).toBeGreaterThan(2);
  });

  it('exports what it shows to a file', async () => {
    const { page } = h;
    await button(page, '書き出し…').click();
    const note = page.locator('.logs-status__note');
    await expect.poll(() => note.getAttribute('data-path'), LONG).toMatch(/plugin_daemon-\d{8}-\d{6}\.log$/);
    const file = readFileSync((await note.getAttribute('data-path')) as string, 'utf8');
    expect(file).toContain('plugin daemon heartbeat');
    expect(file).toContain(RELAYED_HEADER);
    expect(file).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(await text(note)).toMatch(/に書き出しました（[\d.]+ (B|KB|MB)）$/);
  });

  it('copies what it shows, and clears it while new lines keep coming', async () => {
    const { page } = h;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await button(page, 'コピー').click();
    const note = page.locator('.logs-status__note');
    await expect.poll(() => text(note), LONG).toMatch(/^\d+ 行をコピーしました$/);
    const copied = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copied).toContain('plugin daemon heartbeat');
    expect(copied).toContain(RELAYED_HEADER);
    await button(page, 'クリア').click();
    expect(await shownCount(page)).toBeLessThanOrEqual(1);
    await expect.poll(() => lastHeartbeat(page), LONG).toBeGreaterThan(0);
    expect(await entries(page).filter({ hasText: RELAYED_HEADER }).count()).toBe(0);
  });

  it("the dashboard's error badge opens the viewer at the last error, and goes once seen", async () => {
    const { page } = h;
    await nav(page, 'ダッシュボード').click();
    const badge = page.locator('[data-log-errors]');
    await expect.poll(() => badge.getAttribute('data-log-errors'), LONG).toBe('2');
    expect(await text(badge)).toBe('プラグインデーモンのエラー 2 件');
    await h.screenshot('logs-badge.ja');
    await badge.click();
    await expect.poll(() => text(page.locator('h1')), LONG).toBe('ログ');
    const target = page.locator('.log-line--target');
    await expect.poll(() => target.count(), LONG).toBe(1);
    expect(await text(target)).toContain('local runtime start failed');
    expect(await list(page).getAttribute('data-following')).toBe('false');
    await expect.poll(() => h.services.logs.summary().errors, LONG).toBe(0);
    // Wrapped, the relayed traceback's lines are read whole: its entry grows past four line heights.
    await page.getByLabel('折り返し').check();
    const traceback = entries(page).filter({ hasText: RELAYED_HEADER });
    await expect
      .poll(() => traceback.evaluate((e) => e.getBoundingClientRect().height), LONG)
      .toBeGreaterThan(4 * 18);
    // End: to the newest lines again (the user's key: following resumes); the line stays marked.
    await list(page).press('End');
    await expect.poll(() => list(page).getAttribute('data-following'), LONG).toBe('true');
    await expect.poll(() => target.count(), LONG).toBe(1);
    await expectNoRawKeys(page);
    // (A string: this file is type-checked without the DOM library.)
    await page.evaluate('document.activeElement?.blur()');
    await h.screenshot('logs.ja');
    await page.getByLabel('折り返し').uncheck();
    await nav(page, 'ダッシュボード').click();
    await expect.poll(() => badge.count(), LONG).toBe(0);
  });

  it("main's logs:open (the tray's item) opens the viewer on its sources at its line", async () => {
    const { page } = h;
    const last = h.services.logs.summary().last;
    expect(last).not.toBeNull();
    await nav(page, 'ログ').click();
    await expect.poll(() => page.locator('.log-line--target').count(), LONG).toBe(0);
    // What main.ts sends after showing the window (the harness's page-side event entry).
    const request = {
      sources: [{ kind: 'service', service: 'plugin_daemon' }],
      at: { key: 'service:plugin_daemon', at: last?.at, text: last?.text },
    };
    await page.evaluate(`window.__e2eEmit('logs:open', ${JSON.stringify(request)})`);
    await expect.poll(() => page.locator('.log-line--target').count(), LONG).toBe(1);
    expect(await text(page.locator('.log-line--target'))).toContain('local runtime start failed');
    await list(page).press('End');
    await nav(page, 'ダッシュボード').click();
  });

  it('opens a service row’s log from the dashboard', async () => {
    const { page } = h;
    // gunicorn writes its log to stderr.
    printsToStderr('api', ['[2026-12-03 06:45:05 +0000] [7] [INFO] Starting gunicorn 23.0.0']);
    await page.getByRole('button', { name: 'api のログを開く' }).click();
    await expect.poll(() => text(page.locator('h1')), LONG).toBe('ログ');
    await expect
      .poll(
        () =>
          page
            .locator('.logs-source[aria-pressed="true"]')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-source'))),
        LONG,
      )
      .toEqual(['service:api']);
    const gunicorn = entries(page).filter({ hasText: 'Starting gunicorn' });
    await expect.poll(() => gunicorn.count(), LONG).toBe(1);
    expect(await gunicorn.getAttribute('data-stream')).toBe('err');
    expect(await gunicorn.getAttribute('data-level')).toBe('info');
  });

  it('keeps as many lines as the setting says, checked as typed', async () => {
    const { page } = h;
    await nav(page, '設定').click();
    const field = page.getByLabel('ログごとに保持する行数');
    await expect.poll(() => field.inputValue(), LONG).toBe('100000');
    await field.fill('999');
    await expect
      .poll(() => text(page.locator('.log-settings .field__message')), LONG)
      .toBe('1,000〜1,000,000 の整数を入力してください。');
    expect(await button(page, '保存').isDisabled()).toBe(true);
    await field.fill('50,000');
    await button(page, '保存').click();
    await expect.poll(() => h.services.settings.get().settings.logBufferLines, LONG).toBe(50_000);
    await nav(page, 'ログ').click();
  });

  it('the same viewer in English, two sources merged and coloured', async () => {
    const { page } = h;
    await h.services.settings.update({ language: 'en' });
    await expect.poll(() => text(page.locator('h1')), LONG).toBe('Logs');
    await page.locator('.logs-source[data-source="service:plugin_daemon"]').click();
    await expect.poll(() => page.locator('.log-line__source').count(), LONG).toBeGreaterThan(0);
    await expect.poll(() => lastHeartbeat(page), LONG).toBeGreaterThan(0);
    await expectNoRawKeys(page);
    await h.screenshot('logs.en');
  });
});
