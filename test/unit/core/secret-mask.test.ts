/** Which keys count as secret, and how their values are shown (core/secret-mask.ts). */
import { describe, expect, it } from 'vitest';
import { MASK, looksSecret, shownValue } from '../../../electron/core/secret-mask';

describe('looksSecret', () => {
  it.each([
    // Dify's own secrets (docker/.env)
    'SECRET_KEY',
    'DB_PASSWORD',
    'REDIS_PASSWORD',
    'PLUGIN_DAEMON_KEY',
    'PLUGIN_DIFY_INNER_API_KEY',
    'SANDBOX_API_KEY',
    'INIT_PASSWORD',
    'WEAVIATE_API_KEY',
    'CODE_EXECUTION_API_KEY',
    'S3_SECRET_KEY',
    'GITHUB_TOKEN',
    'OPENAI_APIKEY',
    'azure-blob-credentials',
    'db.passwd',
  ])('%s is secret', (key) => {
    expect(looksSecret(key)).toBe(true);
  });

  it.each([
    'GUNICORN_TIMEOUT',
    'PLUGIN_MAX_EXECUTION_TIMEOUT',
    'FORCE_VERIFYING_SIGNATURE',
    'KEYCLOAK_URL',
    'MONKEY_PATCH',
    'DB_USERNAME',
    'TOKENIZERS_PARALLELISM',
  ])('%s is not', (key) => {
    expect(looksSecret(key)).toBe(false);
  });
});

describe('shownValue', () => {
  it('masks a secret key’s value, keeps empty and null as they are, shows other keys', () => {
    expect(shownValue('SECRET_KEY', 'sk-9f8e7d')).toBe(MASK);
    expect(shownValue('SECRET_KEY', '')).toBe('');
    expect(shownValue('SECRET_KEY', null)).toBeNull();
    expect(shownValue('GUNICORN_TIMEOUT', '360')).toBe('360');
  });
});
