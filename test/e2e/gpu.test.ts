/**
 * The GPU page against the real GPU service: the nvidia-smi double first on PATH (its VRAM follows what
 * the Ollama double holds), the Ollama double running with two models loaded. History from the one
 * streaming nvidia-smi, who holds the VRAM, an unload whose freed VRAM is measured, the alert, ja/en.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTree } from '../../electron/processes/process-tree';
import { freePort } from '../helpers/free-port';
import { useTempDir } from '../helpers/use-temp-dir';
import type { Harness } from './harness';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('gpu', 'browser');
const LONG = { timeout: 30_000, interval: 200 };
const DOUBLES = path.resolve(__dirname, '../doubles');

describe.skipIf(skip)('the GPU page', () => {
  let h: Harness;
  let ollama: ChildProcess | null = null;
  const temp = useTempDir('e2e-gpu-', 'all');
  const harness = useHarness('suite');

  beforeAll(async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const models = JSON.stringify([
      { name: 'gpt-oss:20b', size: 14_000_000_000, size_vram: 9_000_000_000 },
      { name: 'gemma3:12b', size: 2_000_000_000, size_vram: 2_000_000_000 },
    ]);
    ollama = spawn(path.join(DOUBLES, 'ollama', 'ollama'), ['serve'], {
      env: { ...process.env, OLLAMA_HOST: host, OLLAMA_DOUBLE_LOADED: models },
      stdio: 'ignore',
      detached: true,
    });
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`http://${host}/`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    h = await harness.open({
      systemLocale: 'ja-JP',
      viewport: { width: 1100, height: 1300 },
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(temp(), 'xdg'),
        PATH: `${path.join(DOUBLES, 'nvidia-smi')}:${process.env.PATH ?? ''}`,
        NVSMI_DOUBLE_OLLAMA_URL: `http://${host}`,
      },
      // The alert after 5 s above 50 %: the loaded models hold ~10 of 12 GB.
      settings: { ollamaHost: host, vramAlertPercent: 50, vramAlertSeconds: 5 },
    });
    // The processes service finds Ollama running; the GPU service asks it who holds what.
    await h.services.processes.refresh();
  });

  afterAll(async () => {
    if (ollama?.pid) await killTree(ollama.pid, {});
  });

  it('shows the reading, the history and who holds the VRAM', async () => {
    const { page } = h;
    await nav(page, 'GPU').click();
    await expect.poll(() => text(page.locator('.gpu-now')), LONG).toMatch(/NVIDIA GeForce RTX 4070/);
    await expect.poll(() => page.locator('tr[data-consumer-name="gpt-oss:20b"]').count(), LONG).toBe(1);
    // gpt-oss:20b did not fit: the rest sits in system RAM.
    expect(await text(page.locator('tr[data-consumer-name="gpt-oss:20b"]'))).toMatch(/CPU/);
    // A few seconds of history from the one streaming nvidia-smi.
    await new Promise((r) => setTimeout(r, 4000));
    // Above 50 % for 5 s: the alert.
    await expect.poll(() => page.locator('[data-gpu-alert]').count(), LONG).toBe(1);
    await expectNoRawKeys(page);
    await h.screenshot('gpu.ja');
  });

  it('unloading a model reports the VRAM it freed, as measured', async () => {
    const { page } = h;
    await button(page, 'gemma3:12b をアンロード').click();
    await expect.poll(() => page.locator('.gpu-result').getAttribute('data-freed'), LONG).toMatch(/^\d+$/);
    const freed = Number(await page.locator('.gpu-result').getAttribute('data-freed'));
    // The double's VRAM follows Ollama's /api/ps: gemma3's 2 GB (1907 MiB) came back.
    expect(Math.abs(freed - 2_000_000_000 / 1024 / 1024)).toBeLessThan(20);
    await expect.poll(() => page.locator('tr[data-consumer-name="gemma3:12b"]').count(), LONG).toBe(0);
    await h.screenshot('gpu-unloaded.ja');
  });

  it('the same page in English', async () => {
    await h.services.settings.update({ language: 'en' });
    const { page } = h;
    await expect.poll(() => text(page.locator('h1')), LONG).toBe('GPU');
    await expect.poll(() => text(page.locator('.gpu-now')), LONG).toMatch(/GPU load|Utili[sz]ation/i);
    await expectNoRawKeys(page);
    await h.screenshot('gpu.en');
  });
});
