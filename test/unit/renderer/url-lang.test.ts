import { describe, expect, it } from 'vitest';
import { checkDifyUrl } from '../../../renderer/src/pages/settings/dify-url';
import { resolveLang } from '../../../renderer/src/lib/lang';
import en from '../../../resources/locales/en.json';
import ja from '../../../resources/locales/ja.json';

describe('checkDifyUrl', () => {
  it.each([
    ['http://localhost', null],
    ['https://dify.example.test:8443/apps', null],
    ['  http://127.0.0.1  ', null],
    ['', 'empty'],
    ['   ', 'empty'],
    ['localhost', 'invalid'],
    ['http://', 'invalid'],
    ['ftp://localhost', 'protocol'],
    ['javascript:alert(1)', 'protocol'],
    ['file:///C:/dify', 'protocol'],
  ])('%j → %s', (input, expected) => {
    expect(checkDifyUrl(input)).toBe(expected);
  });
});

describe('resolveLang', () => {
  it('an explicit choice wins; system follows the OS locale', () => {
    expect(resolveLang('en', 'ja-JP')).toBe('en');
    expect(resolveLang('ja', 'en-US')).toBe('ja');
    expect(resolveLang('system', 'ja-JP')).toBe('ja');
    expect(resolveLang('system', 'ja')).toBe('ja');
    expect(resolveLang('system', 'en-GB')).toBe('en');
    expect(resolveLang('system', 'de-DE')).toBe('en');
    expect(resolveLang('system', undefined)).toBe('en');
  });
});

/** The renderer's sections must exist in both languages with the same keys. */
describe('renderer translations', () => {
  const SECTIONS = [
    'nav',
    'common',
    'serviceStates',
    'health',
    'jobs',
    'dashboard',
    'settings',
    'logs',
  ] as const;
  const keys = (value: unknown, prefix = ''): string[] =>
    value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
      : [prefix.slice(0, -1)];

  it.each(SECTIONS)('%s has the same keys in ja and en, none empty', (section) => {
    const enSection = (en as Record<string, unknown>)[section];
    const jaSection = (ja as Record<string, unknown>)[section];
    expect(keys(jaSection).sort()).toEqual(keys(enSection).sort());
    for (const [lang, tree] of [
      ['en', enSection],
      ['ja', jaSection],
    ] as const) {
      const empty = keys(tree).filter((k) => {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree);
        return typeof v !== 'string' || v.trim() === '';
      });
      expect(empty, lang).toEqual([]);
    }
  });
});
