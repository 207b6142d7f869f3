import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema, SettingsSchema } from '../../../electron/settings/schema';
import {
  checkOptionalUrl,
  formatEnvLines,
  hasProblems,
  ollamaHostNotes,
  parseEnvLines,
  parsePort,
  processFormOf,
  processFormProblems,
  processPatchOf,
  sameProcessForm,
  toggleComponent,
} from '../../../renderer/src/pages/settings/process-settings';

describe('environment lines', () => {
  it('reads NAME=value lines, skipping blank ones, keeping values as typed', () => {
    expect(parseEnvLines('OLLAMA_KEEP_ALIVE=30m\r\n\n  OLLAMA_MODELS = D:\\models dir \nX="a=b"')).toEqual({
      env: { OLLAMA_KEEP_ALIVE: '30m', OLLAMA_MODELS: 'D:\\models dir', X: '"a=b"' },
      problem: null,
    });
    expect(parseEnvLines('')).toEqual({ env: {}, problem: null });
  });

  it.each([
    ['OLLAMA_KEEP_ALIVE', { line: 1, kind: 'noEquals' }],
    ['A=1\n\n1ABC=2', { line: 3, kind: 'badName', name: '1ABC' }],
    ['=value', { line: 1, kind: 'badName', name: '' }],
    ['MY-VAR=1', { line: 1, kind: 'badName', name: 'MY-VAR' }],
    ['A=1\nA=2', { line: 2, kind: 'duplicate', name: 'A' }],
    [`A=${'x'.repeat(4097)}`, { line: 1, kind: 'tooLong', name: 'A' }],
  ])('names the first bad line of %j', (text, problem) => {
    expect(parseEnvLines(text).problem).toEqual(problem);
  });

  it('round-trips the saved environment', () => {
    const env = { OLLAMA_KEEP_ALIVE: '-1', OLLAMA_FLASH_ATTENTION: '1' };
    expect(parseEnvLines(formatEnvLines(env)).env).toEqual(env);
  });
});

describe('single fields', () => {
  it.each([
    ['7860', 7860],
    [' 65535 ', 65535],
    ['0', null],
    ['65536', null],
    ['78a0', null],
    ['', null],
    ['7860.5', null],
  ])('port %j → %j', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });

  it('accepts an empty URL (the default) and http(s) only otherwise', () => {
    expect(checkOptionalUrl('')).toBeNull();
    expect(checkOptionalUrl('http://host.docker.internal:11434')).toBeNull();
    expect(checkOptionalUrl('host.docker.internal:11434')).toBe('protocol');
    expect(checkOptionalUrl('ftp://x')).toBe('protocol');
    expect(checkOptionalUrl('http://')).toBe('invalid');
  });

  it.each([
    ['', []],
    ['127.0.0.1:11434', []],
    ['0.0.0.0:11434', ['everyInterface']],
    ['0.0.0.0', ['everyInterface']],
    ['http://0.0.0.0', ['everyInterface', 'port80']],
    ['http://[::]:11434', ['everyInterface']],
    ['[::]', ['everyInterface']],
    ['http://localhost', ['port80']],
    ['https://localhost', []],
    ['http://127.0.0.1:11434/', []],
    ['127.0.0.1 :11434', ['spaces']],
  ])('OLLAMA_HOST %j → %j', (host, notes) => {
    expect(ollamaHostNotes(host)).toEqual(notes);
  });
});

describe('the form', () => {
  const saved = SettingsSchema.parse({
    ollamaEnv: { OLLAMA_KEEP_ALIVE: '30m' },
    a1111Dir: 'D:\\stable-diffusion-webui',
    stackComponents: ['dify', 'ollama'],
  });

  it('shows the saved settings and is unchanged until edited', () => {
    const form = processFormOf(saved);
    expect(form.ollamaEnv).toBe('OLLAMA_KEEP_ALIVE=30m');
    expect(form.a1111Port).toBe('7860');
    expect(sameProcessForm(form, processFormOf(saved))).toBe(true);
    expect(sameProcessForm(form, { ...form, stackComponents: ['dify'] })).toBe(false);
    expect(sameProcessForm(form, { ...form, a1111Listen: true })).toBe(false);
  });

  it('becomes a patch the settings schema accepts, trimmed, with the components in stack order', () => {
    const form = {
      ...processFormOf(saved),
      ollamaPath: '  C:\\Program Files\\Ollama\\ollama.exe ',
      a1111Port: ' 7861',
      ollamaEnv: 'OLLAMA_KEEP_ALIVE=30m\nOLLAMA_MODELS=D:\\m',
      ollamaUrlFromDify: ' http://host.docker.internal:11434 ',
    };
    expect(hasProblems(processFormProblems(form))).toBe(false);
    const patch = processPatchOf(form);
    expect(SettingsPatchSchema.strict().parse(patch)).toEqual(patch);
    expect(patch).toMatchObject({
      ollamaPath: 'C:\\Program Files\\Ollama\\ollama.exe',
      a1111Port: 7861,
      ollamaEnv: { OLLAMA_KEEP_ALIVE: '30m', OLLAMA_MODELS: 'D:\\m' },
      stackComponents: ['ollama', 'dify'],
      ollamaUrlFromDify: 'http://host.docker.internal:11434',
    });
  });

  it('lists what keeps it from being saved', () => {
    const form = {
      ...processFormOf(saved),
      ollamaEnv: 'nope',
      a1111Port: '99999',
      a1111UrlFromDify: 'host:7860',
      ollamaHost: 'a b',
    };
    const problems = processFormProblems(form);
    expect(problems).toEqual({
      ollamaEnv: { line: 1, kind: 'noEquals' },
      a1111Port: 'invalid',
      ollamaUrlFromDify: null,
      a1111UrlFromDify: 'protocol',
      ollamaHost: 'spaces',
    });
    expect(hasProblems(problems)).toBe(true);
  });

  it('toggles stack components keeping the stack order', () => {
    expect(toggleComponent(['dify'], 'ollama', true)).toEqual(['ollama', 'dify']);
    expect(toggleComponent(['ollama', 'dify'], 'ollama', false)).toEqual(['dify']);
    expect(toggleComponent(['dify'], 'dify', true)).toEqual(['dify']);
  });
});
