/**
 * The Plugins page over the real main-side services, against the Dify console double on 127.0.0.1:
 * connection settings (password into an encrypted secret store), Test login, a first install and a
 * reinstall with the steps in the job panel, then an unsigned package refused with the fix offered —
 * in English and Japanese, with screenshots.
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore } from '../../electron/plugins/secrets';
import { startDifyConsoleDouble, type DifyConsoleDouble } from '../doubles/dify-console';
import { testCipher } from '../doubles/test-cipher';
import { useTempDir } from '../helpers/use-temp-dir';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('plugins', 'browser');

const FIXTURE = resolve(__dirname, '../fixtures/plugins/sd-tool');

const workDir = useTempDir('dst-e2e-plugins-', 'all');
let work: string;
let double: DifyConsoleDouble;
let pluginDir: string;
let brokenDir: string;

beforeAll(async () => {
  work = workDir();
  pluginDir = join(work, 'sd-tool');
  await fs.cp(FIXTURE, pluginDir, { recursive: true });
  // A second project with a problem the page must show before any upload.
  brokenDir = join(work, 'broken');
  await fs.cp(FIXTURE, brokenDir, { recursive: true });
  const m = join(brokenDir, 'manifest.yaml');
  await fs.writeFile(m, (await fs.readFile(m, 'utf8')).replace(/^author: .*$/m, 'author: Bad Author'));
  double = await startDifyConsoleDouble({ taskPendingMs: 150, taskRunningMs: 300 });
});

afterAll(async () => {
  await double?.close();
});

const card = (page: Page, dir: string) => page.locator(`[data-plugin-dir="${dir}"]`);

describe.skipIf(skip)('Plugins page', () => {
  const session = useHarness('suite');

  it('logs in, installs, reinstalls with progress, and offers the signature fix (en, ja)', async () => {
    const secretsFile = join(work, 'secrets.json');
    const harness = await session.open({
      env: { ...process.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
      settings: { difyUrl: double.url, language: 'en', pluginDirs: [pluginDir, brokenDir] },
      secrets: new EncryptedFileSecretStore(secretsFile, testCipher()),
    });
    const { page, screenshot } = harness;
    await page.locator('h1').waitFor();
    await nav(page, 'Plugins').click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Plugins');

    // No credentials yet: the page says so; the broken project lists its problem.
    await expect
      .poll(() => text(page.locator('[data-error-code="DIFY_CREDENTIALS_MISSING"]')))
      .toContain('e-mail address or password is not set');
    expect(await text(card(page, brokenDir))).toContain('author "Bad Author" is not allowed');
    expect(await card(page, brokenDir).getByRole('button', { name: 'Install' }).isDisabled()).toBe(true);

    // Connection: e-mail + password (kept encrypted), Test login.
    await page.getByLabel('E-mail address').fill(double.options.email);
    await page.getByLabel('Password', { exact: true }).fill(double.options.password);
    await button(page, 'Test login').click();
    await expect.poll(() => text(page.locator('[data-login-ok]'))).toContain('Installed plugins: 0');
    const stored = await fs.readFile(secretsFile);
    expect(stored.includes(Buffer.from(double.options.password))).toBe(false);
    await expect
      .poll(() => text(card(page, pluginDir).locator('[data-field="installed-version"]')))
      .toBe('not installed');

    // First install: steps in the job panel, then the card shows what Dify has.
    await card(page, pluginDir).getByRole('button', { name: 'Install' }).click();
    await expect
      .poll(() => text(page.locator('.job-panel__step')))
      .toMatch(/Waiting for Dify|Installing|Uploading/);
    await expect.poll(() => page.locator('.job-panel').getAttribute('data-job-state')).toBe('succeeded');
    await expect
      .poll(() => text(card(page, pluginDir).locator('[data-field="installed-version"]')))
      .toBe('0.1.0');
    const id1 = double.installed()[0]?.plugin_unique_identifier ?? '';
    expect(await text(card(page, pluginDir).locator('[data-field="identifier"]'))).toBe(id1);

    // A new local version: the card says so; Reinstall replaces it.
    const m = join(pluginDir, 'manifest.yaml');
    await fs.writeFile(m, (await fs.readFile(m, 'utf8')).replace(/^version: 0\.1\.0$/m, 'version: 0.2.0'));
    await button(page, 'Refresh').click();
    await expect
      .poll(() => text(card(page, pluginDir).locator('.badge')))
      .toBe('Different version installed');
    await card(page, pluginDir).getByRole('button', { name: 'Reinstall' }).click();
    await expect.poll(() => text(page.locator('.job-output'))).toContain('Removing local_dev/sd_tool:0.1.0');
    await expect.poll(() => page.locator('.job-panel').getAttribute('data-job-state')).toBe('succeeded');
    await expect
      .poll(() => text(card(page, pluginDir).locator('[data-field="last-result"]')))
      .toMatch(/^replaced with 0\.2\.0/);
    expect(await text(card(page, pluginDir).locator('.badge'))).toBe('Same version installed');
    await expectNoRawKeys(page);
    await screenshot('plugins-installed.en');

    // Dify refuses unsigned packages: the error and the one-click fix offer.
    double.options.signatureRequired = true;
    await fs.writeFile(m, (await fs.readFile(m, 'utf8')).replace(/^version: 0\.2\.0$/m, 'version: 0.3.0'));
    await button(page, 'Refresh').click();
    await card(page, pluginDir).getByRole('button', { name: 'Reinstall' }).click();
    await expect.poll(() => page.locator('.job-panel').getAttribute('data-job-state')).toBe('failed');
    const offer = card(page, pluginDir).locator('[data-offer="signature"]');
    await expect.poll(() => text(offer)).toContain('Allow unsigned plugins and retry');
    expect(await text(offer)).toContain('plugin verification has been enabled');
    // The refused upload changed nothing in Dify.
    expect(double.installed().map((p) => p.version)).toEqual(['0.2.0']);
    await expectNoRawKeys(page);
    await screenshot('plugins-signature.en');

    await harness.services.settings.update({ language: 'ja' });
    await expect.poll(() => text(page.locator('h1'))).toBe('プラグイン');
    await expect.poll(() => text(offer)).toContain('署名のないプラグインを許可してやり直す');
    await expectNoRawKeys(page);
    await screenshot('plugins-signature.ja');
  });
});
