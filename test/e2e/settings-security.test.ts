/**
 * Issue 9 on the pages where the Dify URL and password are entered: plain http to another machine is
 * warned about (Settings' URL field and the Plugins page's Dify connection, before any login), and a
 * saved password is tied to the URL it was entered for — after the URL moves, both pages say it must
 * be entered again, and Test login sends nothing. In Japanese and English, with screenshots.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveDifyPassword } from '../../electron/plugins/dify-password';
import { EncryptedFileSecretStore } from '../../electron/plugins/secrets';
import { testCipher } from '../doubles/test-cipher';
import { useTempDir } from '../helpers/use-temp-dir';
import { button, expectNoRawKeys, nav, text } from './page-helpers';
import { e2eSkip, useHarness } from './preamble';

const skip = e2eSkip('settings-security', 'browser');
const workDir = useTempDir('dst-e2e-settings-security-', 'all');
const harness = useHarness('test');

const SAVED_FOR = 'http://localhost:8080';
const REMOTE = 'http://192.168.1.20';

async function openWithPassword(language: 'ja' | 'en') {
  const work = workDir();
  const secrets = new EncryptedFileSecretStore(join(work, `secrets-${language}.json`), testCipher());
  await saveDifyPassword(secrets, SAVED_FOR, 'Secr3t-pass');
  const h = await harness.open({
    env: { ...process.env, DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}` },
    settings: { difyUrl: SAVED_FOR, difyEmail: 'admin@example.com', language },
    secrets,
  });
  await h.page.locator('h1').waitFor();
  return h;
}

describe.skipIf(skip)('Dify URL and password safety', () => {
  it('Settings (ja): http to another machine is warned about; the password must be entered again', async () => {
    const h = await openWithPassword('ja');
    const { page } = h;
    await nav(page, '設定').click();
    const url = page.getByLabel('Dify の URL');
    await url.fill(REMOTE);
    await expect.poll(() => text(page.locator('[data-notice="plain-http"]'))).toContain('暗号化されません');
    await expect
      .poll(() => text(page.locator('[data-notice="password-again"]')))
      .toContain(`${SAVED_FOR} 用のため`);
    await expectNoRawKeys(page);
    await h.screenshot('settings-url-security.ja');

    // Loopback over http and the same origin: neither notice.
    await url.fill(`${SAVED_FOR}/`);
    await expect.poll(() => page.locator('[data-notice]').count()).toBe(0);
  });

  it('Settings → Plugins (en): after the URL moved, Test login asks for the password again and sends nothing', async () => {
    const h = await openWithPassword('en');
    const { page } = h;
    await nav(page, 'Settings').click();
    await page.getByLabel('Dify URL').fill(REMOTE);
    await expect.poll(() => text(page.locator('[data-notice="plain-http"]'))).toContain('not encrypted');
    await expect
      .poll(() => text(page.locator('[data-notice="password-again"]')))
      .toContain(`belongs to ${SAVED_FOR}`);
    await h.screenshot('settings-url-security.en');
    await button(page, 'Save').click();
    await expect.poll(() => text(page.locator('.form-actions__status').first())).toBe('Saved.');
    // Still said after saving: the saved password belongs to the old origin.
    expect(await text(page.locator('[data-notice="password-again"]'))).toContain(SAVED_FOR);

    await nav(page, 'Plugins').click();
    await expect.poll(() => text(page.locator('[data-notice="plain-http"]'))).toContain('plain http');
    await expect
      .poll(() => text(page.locator('[data-notice="password-again"]')))
      .toContain(`entered for ${SAVED_FOR}`);
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('placeholder')).toBe(
      'enter again for this URL',
    );
    await button(page, 'Test login').click();
    await expect
      .poll(() => text(page.locator('[data-error-code="DIFY_PASSWORD_FOR_OTHER_URL"]').first()))
      .toContain('never sent to another address');
    await expectNoRawKeys(page);
    await h.screenshot('plugins-connection-security.en');
  });
});
