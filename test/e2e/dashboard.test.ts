/**
 * The dashboard against the real Docker engine and Compose v2, on a Dify-shaped stack built from a
 * local image: start (with streamed output and progress), live state from Docker events, a stopped
 * container, per-service restart, cancel, stop, a service that exits at once, a compose file that does
 * not parse, and Detect in Settings. Screenshots of each state go to test-results/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../helpers/test-stack';
import { useTempDir } from '../helpers/use-temp-dir';
import type { Harness } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('dashboard', 'engine');

const LONG = { timeout: 120_000, interval: 250 };
const SHORT = { timeout: 15_000, interval: 100 };

const card = (page: Page, id: string) => page.locator(`[data-component="${id}"]`);
const difyBadge = (page: Page) => text(card(page, 'dify').locator('.panel__header .badge'));
const row = (page: Page, service: string) => page.locator(`tr[data-service="${service}"]`);
const cell = (page: Page, service: string, index: number) =>
  text(row(page, service).locator('td').nth(index));
const jobPanel = (page: Page) => page.locator('.job-panel');
const jobState = (page: Page) => jobPanel(page).getAttribute('data-job-state');

function containerId(stack: TestStack, service: string): string {
  return execFileSync('docker', [
    'ps',
    '-aq',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${stack.projectName}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ])
    .toString()
    .trim();
}

describe.skipIf(skip)('dashboard against the real engine', () => {
  let stack: TestStack;
  let h: Harness;
  let services: string[];
  const harness = useHarness('suite', { afterClose: () => stack?.dispose() });

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'e2edash' });
    // The service list comes from the project itself, as Compose resolves it (profiles included).
    const { stdout } = await stack.compose('v2', ['config', '--services']);
    services = stdout.split('\n').filter(Boolean).sort();
    h = await harness.open({ systemLocale: 'ja-JP', settings: { difyDir: stack.dir } });
  });

  it('a project that was never started: every service of the compose file, not created yet', async () => {
    const { page } = h;
    await expect.poll(() => difyBadge(page), LONG).toBe('停止中');
    const rows = await page.locator('tr[data-service]').all();
    const shown = await Promise.all(rows.map(async (r) => (await r.getAttribute('data-service')) ?? ''));
    expect([...shown].sort()).toEqual(services);
    expect(await cell(page, 'api', 0)).toBe('未作成');
    expect(await text(row(page, 'init_permissions').locator('.tag'))).toBe('単発');
    expect(await text(card(page, 'docker').locator('.badge'))).toBe('稼働中');
    expect(await text(card(page, 'dify'))).toContain(stack.projectName);
    expect(await button(page, 'スタックを停止').isDisabled()).toBe(true);
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-not-created.ja');
  });

  it('Start stack: the job streams compose output, then every service runs and is healthy', async () => {
    const { page } = h;
    await button(page, 'スタックを起動').click();
    await expect.poll(() => jobState(page), SHORT).toMatch(/queued|running/);
    // Only one operation at a time: the stack buttons wait for this one.
    expect(await button(page, 'スタックを起動').isDisabled()).toBe(true);
    expect(await button(page, 'スタックを停止').isDisabled()).toBe(true);
    await expect.poll(() => text(page.locator('.job-output')), LONG).toContain('docker compose');
    await expect.poll(() => text(jobPanel(page).locator('.job-panel__step')), LONG).not.toBe('');
    await h.screenshot('dashboard-starting.ja');

    await expect.poll(() => jobState(page), LONG).toBe('succeeded');
    await expect.poll(() => difyBadge(page), LONG).toBe('稼働中');
    expect(await text(jobPanel(page).locator('.badge'))).toBe('完了');
    expect(await text(jobPanel(page).locator('.panel__title'))).toBe('スタックの起動');
    expect(await jobPanel(page).locator('[role="progressbar"]').getAttribute('aria-valuenow')).toBe('100');

    expect(await cell(page, 'api', 0)).toBe('稼働中');
    expect(await cell(page, 'api', 1)).toBe('正常');
    // No health check: a dash on screen, the words for screen readers.
    expect(await cell(page, 'web', 1)).toContain('ヘルスチェックなし');
    expect(await cell(page, 'init_permissions', 0)).toBe('完了');
    expect(await cell(page, 'init_permissions', 3)).toBe('0');
    expect(await cell(page, 'api', 2)).toBe(containerId(stack, 'api').slice(0, 12));
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-running.ja');
  });

  it('a container stopped behind the app’s back shows up from Docker events, without a refresh', async () => {
    const { page } = h;
    execFileSync('docker', ['stop', '-t', '1', containerId(stack, 'worker')]);
    await expect.poll(() => cell(page, 'worker', 0), SHORT).toBe('停止');
    await expect.poll(() => difyBadge(page), SHORT).toBe('一部稼働中');
    expect(await text(card(page, 'dify').locator('.component-card__detail'))).toContain('worker');
    await h.screenshot('dashboard-partial.ja');
  });

  it('the per-service Restart button brings that service back', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'worker を再起動' }).click();
    await expect.poll(() => text(jobPanel(page).locator('.panel__title')), SHORT).toBe('サービスの再起動');
    await expect.poll(() => jobState(page), LONG).toBe('succeeded');
    await expect.poll(() => cell(page, 'worker', 0), SHORT).toBe('稼働中');
    await expect.poll(() => difyBadge(page), SHORT).toBe('稼働中');
  });

  it('the language switches live, also on a running dashboard', async () => {
    const { page } = h;
    await h.services.settings.update({ language: 'en' });
    await expect.poll(() => difyBadge(page), SHORT).toBe('Running');
    expect(await cell(page, 'api', 1)).toBe('Healthy');
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-running.en');
    await page.emulateMedia({ colorScheme: 'dark' });
    await h.screenshot('dashboard-running-dark.en');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('Stop stack stops every service; the last job stays visible', async () => {
    const { page } = h;
    await button(page, 'Stop stack').click();
    await expect.poll(() => text(jobPanel(page).locator('.panel__title')), SHORT).toBe('Stop stack');
    await expect.poll(() => jobState(page), LONG).toBe('succeeded');
    await expect.poll(() => difyBadge(page), SHORT).toBe('Stopped');
    for (const s of services) expect(await cell(page, s, 0)).toMatch(/^(Exited|Completed)$/);
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-stopped.en');
  });

  it('Cancel stops a running start', async () => {
    const { page } = h;
    await button(page, 'Start stack').click();
    const cancel = jobPanel(page).getByRole('button', { name: 'Cancel' });
    await cancel.click({ timeout: 15_000 });
    await expect.poll(() => jobState(page), LONG).toBe('cancelled');
    expect(await text(jobPanel(page).locator('.badge'))).toBe('Cancelled');
    await h.screenshot('dashboard-cancelled.en');
    // Leave nothing running for the next tests.
    await stack.compose('v2', ['stop', '-t', '1']);
  });

  it('Settings → Detect lists this project from its containers’ labels', async () => {
    const { page } = h;
    await h.services.settings.update({ language: 'ja' });
    await nav(page, '設定').click();
    await button(page, '検出').click();
    const item = page.locator('.detected__item', { hasText: stack.dir });
    await item.waitFor({ timeout: 15_000 });
    expect(await text(item)).toContain(`プロジェクト ${stack.projectName}`);
    expect(await item.getByRole('button').isDisabled()).toBe(true);
    expect(await text(item.getByRole('button'))).toBe('使用中');
    await expectNoRawKeys(page);
    await h.screenshot('settings-detected.ja');
    await nav(page, 'ダッシュボード').click();
  });
});

describe.skipIf(skip)('dashboard: what goes wrong, against the real engine', () => {
  let stack: TestStack;
  let h: Harness;
  // Registered before the harness: its folder goes only after the page and the stack are gone.
  const brokenDir = useTempDir('dst-e2e-broken-', 'all');
  const harness = useHarness('suite', { afterClose: () => stack?.dispose() });

  beforeAll(async () => {
    // A service that dies at once, as a misconfigured Dify service would.
    stack = createTestStack({
      prefix: 'e2ebad',
      extraServiceYaml: [
        '  crasher:',
        '    image: ${TEST_IMAGE:-dify-stack-test/busybox:1}',
        "    restart: 'no'",
        "    command: ['sh', '-c', 'echo starting; echo \"fatal: cannot reach db_postgres:5432\" >&2; exit 3']",
        '',
      ].join('\n'),
    });
    const broken = brokenDir();
    writeFileSync(join(broken, 'docker-compose.yaml'), 'services:\n  api:\n    image: [unclosed\n');
    writeFileSync(join(broken, '.env'), '');
    h = await harness.open({ systemLocale: 'ja-JP', settings: { difyDir: stack.dir } });
  });

  it('a service that exits right after starting fails the start with its name, exit code and log', async () => {
    const { page } = h;
    await expect.poll(() => difyBadge(page), LONG).toBe('停止中');
    await button(page, 'スタックを起動').click();
    await expect.poll(() => jobState(page), LONG).toBe('failed');
    const error = jobPanel(page).locator('.error-box');
    expect(await error.getAttribute('data-error-code')).toBe('SERVICE_EXITED');
    expect(await text(error.locator('.error-box__message'))).toBe(
      'crasher が起動直後に停止しました（終了コード 3）。直近のログを下に示します。',
    );
    await error.locator('summary').click();
    expect(await text(error.locator('pre'))).toContain('fatal: cannot reach db_postgres:5432');
    await expect.poll(() => cell(page, 'crasher', 3), SHORT).toBe('3');
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-service-exited.ja');
  });

  it('a compose file that does not parse: the Dify card says which file, with compose’s own error', async () => {
    const { page } = h;
    const broken = brokenDir();
    await h.services.settings.update({ difyDir: broken });
    const error = card(page, 'dify').locator('.error-box');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.getAttribute('data-error-code')).toBe('COMPOSE_FILE_INVALID');
    expect(await text(error)).toContain(join(broken, 'docker-compose.yaml'));
    await error.locator('summary').click();
    expect((await text(error.locator('pre'))).length).toBeGreaterThan(0);
    expect(await button(page, 'スタックを起動').isEnabled()).toBe(true);
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-compose-invalid.ja');
  });
});
