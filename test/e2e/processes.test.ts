/**
 * The whole stack from the dashboard, against the real engine (a Dify-shaped compose project) and the
 * Ollama and A1111 doubles really spawned: all four components on one page, Start in order (engine →
 * Ollama → A1111 → Dify), the cards' details, the doctor from inside Dify's container, Stop in the
 * reverse order. Screenshots in ja and en.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { killTree } from '../../electron/processes/process-tree';
import { ProcessRegistry } from '../../electron/processes/registry';
import { freePort } from '../helpers/free-port';
import { createTestStack, type TestStack } from '../helpers/test-stack';
import { useTempDir } from '../helpers/use-temp-dir';
import type { Harness } from './harness';
import { button, expectNoRawKeys, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('processes', 'engine');
const LONG = { timeout: 150_000, interval: 250 };
const DOUBLES = path.resolve(__dirname, '../doubles');

const card = (page: Page, id: string) => page.locator(`[data-component="${id}"]`);
const badge = (page: Page, id: string) => text(card(page, id).locator('.panel__header .badge'));
const jobState = (page: Page) => page.locator('.job-panel').getAttribute('data-job-state');

describe.skipIf(skip)('the whole stack from the dashboard', () => {
  let stack: TestStack;
  let h: Harness;
  let dataDir: string;
  const temp = useTempDir('e2e-processes-', 'all');
  const harness = useHarness('suite', {
    afterClose: async () => {
      // Whatever a failed test left running ends here: every process the registry knows.
      const entries = dataDir
        ? await new ProcessRegistry({ file: path.join(dataDir, 'processes.json') }).list()
        : [];
      await Promise.all(entries.map((e) => killTree(e.pid, {})));
      await stack?.dispose();
    },
  });

  beforeAll(async () => {
    stack = createTestStack({ prefix: 'e2eproc' });
    const config = path.join(temp(), 'xdg');
    dataDir = path.join(config, 'dify-stack-tray');
    h = await harness.open({
      systemLocale: 'ja-JP',
      viewport: { width: 1100, height: 1400 },
      // The registry and the programs' logs go to this test's own folder, not the developer's.
      env: {
        ...process.env,
        XDG_CONFIG_HOME: config,
        A1111_DOUBLE_MODEL_MS: '400',
        OLLAMA_DOUBLE_LOADED: JSON.stringify(['gemma3:12b']),
      },
      settings: {
        difyDir: stack.dir,
        ollamaPath: path.join(DOUBLES, 'ollama', 'ollama'),
        ollamaHost: `127.0.0.1:${await freePort()}`,
        a1111Dir: path.join(DOUBLES, 'a1111'),
        a1111Port: await freePort(),
        autoRestart: false,
      },
    });
  });

  it('shows the four components in stack order, all stopped', async () => {
    const { page } = h;
    await expect.poll(() => badge(page, 'ollama'), LONG).toBe('停止中');
    const order = await page
      .locator('[data-component]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-component')));
    expect(order).toEqual(['docker', 'ollama', 'a1111', 'dify']);
    expect(await badge(page, 'a1111')).toBe('停止中');
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-stack-stopped.ja');
  });

  it('Start stack: engine → Ollama → A1111 → Dify, one job, each ready before the next', async () => {
    const { page } = h;
    await button(page, 'スタックを起動').click();
    await expect.poll(() => jobState(page), LONG).toMatch(/succeeded|failed/);
    // The job's own output says what ran, in order.
    const job = h.services.jobs.list().find((j) => j.kind === 'stack.start');
    const lines = h.services.jobs.output(job?.id ?? '') ?? [];
    expect(job?.state, `${JSON.stringify(job?.error)}\n${lines.slice(-40).join('\n')}`).toBe('succeeded');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const ollama = at(/ollama serve$/);
    const a1111 = at(/webui\.sh (-f )?--api --port/);
    const dify = at(/compose .* up -d$/);
    expect(ollama).toBeGreaterThanOrEqual(0);
    expect(a1111).toBeGreaterThan(ollama);
    expect(dify).toBeGreaterThan(a1111);

    for (const id of ['docker', 'ollama', 'a1111', 'dify'])
      await expect.poll(() => badge(page, id), LONG).toBe('稼働中');
    expect(await text(card(page, 'ollama'))).toContain('gemma3:12b');
    expect(await text(card(page, 'a1111'))).toMatch(/\.safetensors/);
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-stack-running.ja');
  });

  it('the doctor checks from inside Dify and names the cause of what fails', async () => {
    const { page } = h;
    await button(page, 'Dify からの接続を確認').click();
    // The test stack has no host.docker.internal entry: the doctor must say so, not just "failed".
    await expect.poll(() => text(page.locator('section.doctor')), LONG).toMatch(/host\.docker\.internal/);
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-doctor.ja');
  });

  it('the same page in English', async () => {
    await h.services.settings.update({ language: 'en' });
    const { page } = h;
    await expect.poll(() => badge(page, 'ollama'), LONG).toBe('Running');
    await expectNoRawKeys(page);
    await h.screenshot('dashboard-stack-running.en');
  });

  it('Stop stack: Dify, then A1111, then Ollama; the engine keeps running', async () => {
    const { page } = h;
    await button(page, 'Stop stack').click();
    await expect.poll(() => jobState(page), LONG).toBe('succeeded');
    const job = h.services.jobs.list().find((j) => j.kind === 'stack.stop');
    expect(job?.state).toBe('succeeded');
    for (const id of ['ollama', 'a1111']) await expect.poll(() => badge(page, id), LONG).toBe('Stopped');
    await expect.poll(() => badge(page, 'dify'), LONG).toBe('Stopped');
    expect(await badge(page, 'docker')).toBe('Running');
    expect(await new ProcessRegistry({ file: path.join(dataDir, 'processes.json') }).list()).toEqual([]);
    await h.screenshot('dashboard-stack-stopped.en');
  });
});
