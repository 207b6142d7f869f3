/**
 * The Plugins page over the real main-side services, against the Dify console double on 127.0.0.1:
 * connection settings (password into an encrypted secret store), Test login, a first install and a
 * reinstall with the steps in the job panel, then an unsigned package refused with the fix offered —
 * in English and Japanese, with screenshots. Then real official plugins: what Dify accepts but the
 * user should know (warnings, a long list folded) and where the Python packages come from, before any
 * upload.
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
const OFFICIAL = resolve(__dirname, '../fixtures/plugins/official');

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
    await expect.poll(() => text(offer)).toContain('署名のないプラグインを許可して再試行');
    await expectNoRawKeys(page);
    await screenshot('plugins-signature.ja');
  });
});

describe.skipIf(skip)('Plugins page: warnings and the dependency source', () => {
  const session = useHarness('suite');

  it('shows warnings in the warning tone without blocking, folds a long list (en, ja)', async () => {
    // Every official plugin ships pyproject.toml + uv.lock without requirements.txt.
    const toolDir = join(work, 'jiandaoyun');
    await fs.cp(join(OFFICIAL, 'tools/jiandaoyun'), toolDir, { recursive: true });
    // A model plugin whose provider names four model files that are not there: Dify lists the others
    // and says nothing, so five warnings in all.
    const modelDir = join(work, 'longcat');
    await fs.cp(join(OFFICIAL, 'models/longcat'), modelDir, { recursive: true });
    const provider = join(modelDir, 'provider/longcat.yaml');
    const missing = ['longcat-old', 'longcat-beta', 'longcat-mini', 'longcat-x'];
    await fs.writeFile(
      provider,
      (await fs.readFile(provider, 'utf8')).replace(
        '    - models/llm/*.yaml\n',
        `    - models/llm/*.yaml\n${missing.map((m) => `    - models/llm/${m}.yaml\n`).join('')}`,
      ),
    );

    const harness = await session.open({
      env: { ...process.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
      settings: { difyUrl: double.url, language: 'en', pluginDirs: [toolDir, modelDir] },
      secrets: new EncryptedFileSecretStore(join(work, 'secrets-warnings.json'), testCipher()),
    });
    await harness.services.plugins.setConnection({
      email: double.options.email,
      password: double.options.password,
    });
    const { page, screenshot } = harness;
    await page.locator('h1').waitFor();
    await nav(page, 'Plugins').click();
    await expect.poll(() => text(page.locator('h1'))).toBe('Plugins');

    const tool = card(page, toolDir);
    await expect
      .poll(() => text(tool.locator('[data-field="dependencies"]')))
      .toBe('installed from pyproject.toml + uv.lock');
    const toolWarnings = tool.locator('[data-field="warnings"]');
    expect(await text(toolWarnings)).toContain('Dify accepts this plugin, but note (1):');
    expect(await text(toolWarnings)).toContain('but no requirements.txt');
    // The command to copy sits on its own line, whole.
    expect(await text(toolWarnings.locator('code'))).toMatch(/^uv export --frozen .* -o requirements\.txt$/);
    // Warnings never block: Install stays enabled (problems would disable it).
    expect(await tool.getByRole('button', { name: 'Install' }).isDisabled()).toBe(false);
    expect(await tool.locator('.plugin-problems').count()).toBe(0);

    const model = card(page, modelDir);
    const modelWarnings = model.locator('[data-field="warnings"]');
    expect(await text(modelWarnings)).toContain('(5):');
    expect(await modelWarnings.locator('li').count()).toBe(3);
    await model.getByRole('button', { name: '+2 more' }).click();
    expect(await modelWarnings.locator('li').count()).toBe(5);
    expect(await text(modelWarnings)).toContain('models/llm/longcat-x.yaml');
    await model.getByRole('button', { name: 'Show fewer' }).click();
    expect(await modelWarnings.locator('li').count()).toBe(3);
    await expectNoRawKeys(page);
    await screenshot('plugins-warnings.en');

    await harness.services.settings.update({ language: 'ja' });
    await expect.poll(() => text(page.locator('h1'))).toBe('プラグイン');
    expect(await text(tool.locator('[data-field="dependencies"]'))).toBe(
      'pyproject.toml + uv.lock からインストール',
    );
    expect(await text(modelWarnings)).toContain('次の点にご注意ください（5 件）');
    expect(await text(model.getByRole('button', { name: 'ほか 2 件' }))).toBe('ほか 2 件');
    await expectNoRawKeys(page);
    await screenshot('plugins-warnings.ja');
  });
});
