/**
 * The timeout panel against the real engine and Compose v2, on a Layout B stack (short CRLF .env +
 * envs/ via env_file): values, source files and readers as Compose resolves them, a shadowed key's
 * "no effect" badge, validation as you type, a preset, the chain, the preview dialog, and Apply —
 * which recreates exactly the services the dialog listed. Screenshots in Japanese and English go to
 * test-results/screenshots/.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { containerIds, createTestStack, type TestStack } from '../helpers/test-stack';
import { SCREENSHOT_DIR, type Harness } from './harness';
import { button, expectNoRawKeys, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('timeouts', 'engine');

const LONG = { timeout: 120_000, interval: 250 };

const row = (page: Page, key: string) => page.locator(`tr[data-key="${key}"]`);

/** The chain panel whole: taller than the window, and the sticky apply bar would cover its end. */
async function chainShot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1100, height: 760 };
  await page.setViewportSize({ width: size.width, height: 3000 });
  await page.locator('.timeout-chain').screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  await page.setViewportSize(size);
}

describe.skipIf(skip)('timeout panel against the real engine', () => {
  let stack: TestStack;
  let h: Harness;
  let pluginDir: string;
  /** What the preview said Apply recreates (checked against the containers after it). */
  let recreate: string[] = [];
  const harness = useHarness('suite', { afterClose: () => stack?.dispose() });

  beforeAll(async () => {
    stack = createTestStack({ layout: 'B', prefix: 'e2etmo' });
    // Shadowed: plugin_daemon's environment: entry takes PLUGIN_MAX_EXECUTION_TIMEOUT from .env.
    writeFileSync(
      join(stack.dir, 'envs/core-services/plugin-daemon.env'),
      'PLUGIN_MAX_EXECUTION_TIMEOUT=1800\n',
    );
    // A registered plugin folder like the official Stable Diffusion plugin: 120 s in its own code.
    pluginDir = join(stack.dir, '..', 'sd-tool');
    cpSync(resolve(__dirname, '../fixtures/plugins/sd-tool'), pluginDir, { recursive: true });
    for (const [file, from, to] of [
      ['main.py', 'MAX_REQUEST_TIMEOUT=600', 'MAX_REQUEST_TIMEOUT=120'],
      ['tools/txt2img.py', 'timeout=600', 'timeout=120'],
    ] as const) {
      const path = join(pluginDir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
    }
    await stack.up('v2');
    h = await harness.open({
      systemLocale: 'ja-JP',
      settings: { difyDir: stack.dir, pluginDirs: [pluginDir] },
    });
  });

  it('shows each timeout as Compose resolves it, with readers and a no-effect badge (ja)', async () => {
    const { page } = h;
    await button(page, 'タイムアウト').click();
    await expect.poll(() => row(page, 'SANDBOX_WORKER_TIMEOUT').count(), LONG).toBe(1);
    const sandbox = row(page, 'SANDBOX_WORKER_TIMEOUT');
    expect(await text(sandbox.locator('[data-testid="current"]'))).toBe('15');
    expect(await text(sandbox.locator('.timeout-row__source'))).toBe('.env の値');
    expect(await text(sandbox.locator('.timeout-row__readers'))).toContain('sandbox (WORKER_TIMEOUT)');
    const shadowed = row(page, 'PLUGIN_MAX_EXECUTION_TIMEOUT');
    expect(await text(shadowed.locator('.badge'))).toBe('効果なし');
    expect(await text(shadowed.locator('.timeout-row__reason'))).toContain('.env');
    // Set nowhere in Layout B's .env: Dify's default applies.
    expect(await text(row(page, 'WORKFLOW_MAX_EXECUTION_TIME').locator('[data-testid="current"]'))).toBe(
      '未設定（1200）',
    );
    // The unit beside the input is whole (a max-width cut ミリ秒 to "ミ…").
    const msUnit = row(page, 'TEXT_GENERATION_TIMEOUT_MS').locator('.timeout-row__unit');
    expect(await text(msUnit)).toBe('ミリ秒');
    expect(await msUnit.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await expectNoRawKeys(page);
    await h.screenshot('timeouts.ja');
    await page
      .locator('section[aria-labelledby="group-plugins"]')
      .screenshot({ path: join(SCREENSHOT_DIR, 'timeouts-plugins-group.ja.png') });
  });

  it('validates while typing and blocks Apply until the value is fixed', async () => {
    const { page } = h;
    const input = row(page, 'PLUGIN_MAX_EXECUTION_TIMEOUT').locator('input');
    await input.fill('600.0');
    await expect
      .poll(() => text(row(page, 'PLUGIN_MAX_EXECUTION_TIMEOUT').locator('.timeout-row__error')))
      .toBe('整数で入力してください。600.0 のような値では、プラグインデーモンが起動時に異常終了します。');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await button(page, '適用…').isDisabled()).toBe(true);
    await h.screenshot('timeouts-invalid.ja');
    await input.fill('');
    await expect.poll(() => button(page, '適用…').isDisabled()).toBe(true);
  });

  it('the chain of a web-app workflow with the plugin chosen, and "make this call fit" for 30 min', async () => {
    const { page } = h;
    const chain = page.locator('.timeout-chain');
    await chain.locator('select').first().selectOption({ index: 1 });
    await chain.locator('select').nth(1).selectOption('webapp-workflow-plugin');
    // The test stack's images carry no Dify release: the newest rules are assumed, and said.
    expect(await text(chain.locator('[data-testid="chain-release"]'))).toContain('最新の Dify の規則を仮定');
    // The web app stops waiting after 60 s; the plugin's own timeout=120 is a link with file:line.
    await expect.poll(() => text(chain.locator('[data-testid="chain-effective"]'))).toContain('60 秒');
    const pluginLink = chain.locator('[data-link="PLUGIN_TOOL_HTTP_TIMEOUT"]');
    expect(await text(pluginLink)).toContain('tools/txt2img.py:18');
    // Each limit with its unit from the locale (it said "120 s" beside Japanese text).
    expect(await text(pluginLink.locator('.timeout-chain__value'))).toBe('120 秒');
    expect(await text(chain.locator('[data-link="DAEMON_HEARTBEAT"]'))).toContain('固定');
    expect(
      await text(chain.locator('[data-link="TEXT_GENERATION_TIMEOUT_MS"] [data-testid="link-effect"]')),
    ).toBe('Web アプリが待つのをやめます。実行は続きます');
    expect(await chain.locator('[data-link="GUNICORN_TIMEOUT"]').count()).toBe(0);

    await chain.locator('.timeout-fit input').fill('30m');
    const changes = chain.locator('[data-testid="fit-changes"]');
    await expect.poll(() => changes.locator('li').count(), LONG).toBeGreaterThan(0);
    expect(await text(changes.locator('[data-key="TEXT_GENERATION_TIMEOUT_MS"]'))).toContain('1800000');
    expect(await text(changes.locator('[data-key="PLUGIN_DAEMON_TIMEOUT"]'))).toContain('1800.0');
    const cannot = chain.locator('[data-testid="fit-cannot"]');
    expect(await text(cannot.locator('[data-blocker="plugin"]'))).toContain('tools/txt2img.py:18');
    expect(await chain.locator('[data-verdict="blocked"]').count()).toBe(1);
    await expectNoRawKeys(page);
    await chainShot(page, 'timeouts-chain-fit.ja');

    const count = await changes.locator('li').count();
    await chain.getByRole('button', { name: '下書きに入れる' }).click();
    await expect.poll(() => text(page.locator('[data-testid="change-count"]'))).toBe(`変更 ${count} 件`);
    expect(await row(page, 'TEXT_GENERATION_TIMEOUT_MS').locator('input').inputValue()).toBe('1800000');
    // With the drafts in place, the fit needs no more changes; only the plugin's own timeout is left.
    await expect.poll(() => chain.locator('[data-testid="fit-changes"]').count()).toBe(0);
    await h.screenshot('timeouts-fit.ja');

    // Back to the start for the preset test: no drafts, no plugin, no target, the first scenario.
    await button(page, '変更を破棄').click();
    await chain.locator('.timeout-fit input').fill('');
    await chain.locator('select').first().selectOption({ index: 0 });
    await chain.locator('select').nth(1).selectOption({ index: 0 });
  });

  it('a preset fills the drafts and the chain follows; the preview lists readers and pending services', async () => {
    const { page } = h;
    // The 3-hour preset is the fit of a 3-hour plugin call from the web app: only what would cut it.
    await button(page, '長時間の画像生成（3 時間）').click();
    await expect
      .poll(() => row(page, 'PLUGIN_MAX_EXECUTION_TIMEOUT').locator('input').inputValue())
      .toBe('10800');
    expect(await row(page, 'TEXT_GENERATION_TIMEOUT_MS').locator('input').inputValue()).toBe('10800000');
    expect(await row(page, 'GUNICORN_TIMEOUT').locator('input').inputValue()).toBe('');
    await expect.poll(() => text(page.locator('[data-testid="chain-effective"]'))).toContain('10800');
    await expect.poll(() => text(page.locator('[data-testid="change-count"]'))).toBe('変更 4 件');
    await page
      .locator('section[aria-labelledby="presets-title"]')
      .screenshot({ path: join(SCREENSHOT_DIR, 'timeouts-presets.ja.png') });
    // With the plugin's own timeout in the chain, the 3-hour values are cut at 120 s: say so.
    const chain = page.locator('.timeout-chain');
    // The first picker is the plugin's (only shown when plugin folders are registered).
    await chain.locator('select').first().selectOption({ index: 1 });
    await expect.poll(() => text(chain.locator('[data-testid="chain-effective"]'))).toContain('120');
    expect(await chain.locator('[data-warning="cutFirst"]').count()).toBeGreaterThan(0);
    await chainShot(page, 'timeouts-chain.ja');
    await h.screenshot('timeouts-preset.ja');

    await button(page, '適用…').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Each file is shown with why it was chosen: the one deciding today, or where Dify documents the key.
    // PLUGIN_MAX_EXECUTION_TIMEOUT: envs/…/plugin-daemon.env is shadowed by plugin_daemon's environment:.
    expect(await text(dialog.locator('tr[data-key="PLUGIN_MAX_EXECUTION_TIMEOUT"]'))).toBe(
      'PLUGIN_MAX_EXECUTION_TIMEOUT 600 → 10800 .env 読み込むサービス用の env ファイルで合うものがないため、そのサービスに届く .env を使います',
    );
    const workflowRow = await text(dialog.locator('tr[data-key="WORKFLOW_MAX_EXECUTION_TIME"]'));
    expect(workflowRow).toContain('envs/core-services/shared.env');
    expect(workflowRow).toContain('Dify はこのキーを、このファイルの隣の .env.example で説明しています');
    recreate = (await text(dialog.locator('[data-testid="preview-recreate"]'))).split(', ');
    // The readers of the four keys (web reads TEXT_GENERATION_TIMEOUT_MS), and nothing else.
    expect(recreate).toEqual(['api', 'plugin_daemon', 'web', 'worker']);
    await expectNoRawKeys(page);
    await h.screenshot('timeouts-preview.ja');
    await dialog.screenshot({ path: join(SCREENSHOT_DIR, 'timeouts-dialog.ja.png') });
  });

  it('Apply recreates exactly the listed services and the panel shows the new values', async () => {
    const { page } = h;
    const before = containerIds(stack);
    await page.getByRole('dialog').getByRole('button', { name: '適用して再作成' }).click();
    await expect
      .poll(() => page.locator('.job-panel').getAttribute('data-job-state'), LONG)
      .toBe('succeeded');
    const after = containerIds(stack);
    const changed = Object.keys(after).filter((s) => before[s] !== after[s]);
    expect(changed.sort()).toEqual([...recreate].sort());
    await expect
      .poll(() => text(row(page, 'PLUGIN_MAX_EXECUTION_TIMEOUT').locator('[data-testid="current"]')), LONG)
      .toBe('10800');
    expect(await text(row(page, 'TEXT_GENERATION_TIMEOUT_MS').locator('[data-testid="current"]'))).toBe(
      '10800000',
    );
    // A new optional file: only the keys written, in .env's CRLF style.
    const shared = readFileSync(join(stack.dir, 'envs/core-services/shared.env'), 'latin1');
    expect(shared.endsWith('\r\n') && !shared.replace(/\r\n/g, '').includes('\n')).toBe(true);
    expect(shared.trimEnd().split('\r\n').sort()).toEqual([
      'PLUGIN_DAEMON_TIMEOUT=10800.0',
      'WORKFLOW_MAX_EXECUTION_TIME=10800',
    ]);
    expect(await page.locator('tr[data-backup]').count()).toBeGreaterThan(0);
    await h.screenshot('timeouts-applied.ja');
  });

  it('reads naturally in English too', async () => {
    const { page } = h;
    await h.services.settings.update({ language: 'en' });
    await expect.poll(() => text(page.locator('h1'))).toBe('Timeout settings');
    await row(page, 'GUNICORN_TIMEOUT').locator('input').fill('7200');
    await expect.poll(() => text(page.locator('[data-testid="change-count"]'))).toBe('1 change');
    await expectNoRawKeys(page);
    await h.screenshot('timeouts.en');
    await button(page, 'Apply…').click();
    await page.getByRole('dialog').waitFor();
    expect(await text(page.locator('[data-testid="preview-recreate"]'))).toBe('api');
    await h.screenshot('timeouts-preview.en');
    await page.getByRole('dialog').screenshot({ path: join(SCREENSHOT_DIR, 'timeouts-dialog.en.png') });
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // The chain and "make this call fit" in English: a 3-hour call of the plugin from the web app.
    const chain = page.locator('.timeout-chain');
    await chain.locator('select').first().selectOption({ index: 1 });
    await chain.locator('select').nth(1).selectOption('webapp-workflow-plugin');
    await chain.locator('.timeout-fit input').fill('3h');
    await expect.poll(() => chain.locator('[data-blocker="plugin"]').count(), LONG).toBe(1);
    expect(await text(chain.locator('[data-blocker="plugin"]'))).toBe(
      "The tool's own HTTP timeout (timeout= in its code): 120 s, written in the plugin at tools/txt2img.py:18. Change it there.",
    );
    await expectNoRawKeys(page);
    await chainShot(page, 'timeouts-chain-fit.en');
  });
});
