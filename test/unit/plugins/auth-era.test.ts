import { describe, expect, it } from 'vitest';
import { authProfileForVersion, versionFromImage } from '../../../electron/plugins/auth-era';

describe('authProfileForVersion (shared/facts.md, "Dify console API")', () => {
  it.each([
    ['0.15.3', 'bearer', 'plain', true],
    ['1.0.0', 'bearer', 'plain', true],
    ['1.7.2', 'bearer', 'plain', true],
    ['1.8.0', 'bearer', 'plain', true],
    ['1.8.1', 'bearer', 'plain', true],
    ['1.9.0', 'bearer', 'plain', false],
    ['1.9.1', 'bearer', 'plain', false],
    ['1.9.2', 'cookie', 'plain', false],
    ['1.10.1', 'cookie', 'plain', false],
    ['1.11.1', 'cookie', 'plain', false],
    ['1.11.2', 'cookie', 'base64', false],
    ['1.16.0', 'cookie', 'base64', false],
    ['v1.13.3', 'cookie', 'base64', false],
    ['2.0.0-beta.1', 'bearer', 'plain', true],
    ['2.0.0-beta.2', 'bearer', 'plain', true],
  ])('%s → %s, %s password, format check %s', (version, era, passwordEncoding, formatCheck) => {
    expect(authProfileForVersion(version)).toEqual({ era, passwordEncoding, formatCheck });
  });

  it.each(['', 'latest', 'main', '1.11', '2.0.0', '2.1.0', '1.11.2-rc1', null, undefined])(
    '%s → null: not covered by the facts, so not guessed from',
    (version) => {
      expect(authProfileForVersion(version)).toBeNull();
    },
  );
});

describe('versionFromImage', () => {
  it.each([
    ['langgenius/dify-api:1.9.1', '1.9.1'],
    ['docker.io/langgenius/dify-api:1.13.3', '1.13.3'],
    ['registry.example.com:5000/mirror/dify-api:2.0.0-beta.1', '2.0.0-beta.1'],
    [`langgenius/dify-api:1.11.2@sha256:${'a'.repeat(64)}`, '1.11.2'],
    ['langgenius/dify-api:latest', null],
    ['langgenius/dify-web:1.9.1', null],
    ['sha256:0123456789abcdef', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (image, version) => {
    expect(versionFromImage(image)).toBe(version);
  });
});
