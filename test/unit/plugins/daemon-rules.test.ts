/**
 * What Dify's plugin daemon refuses, checked on copies of real official plugins (test/fixtures/plugins/
 * official) changed in one place each: every case must give exactly one problem, in the right file and
 * on the right line, so the user sees the cause and not a cascade.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { translate } from '../../../electron/core/i18n';
import { checkPluginFolder } from '../../../electron/plugins/manifest';
import { packagePluginFolder } from '../../../electron/plugins/packager';
import { useTempDir } from '../../helpers/use-temp-dir';

const OFFICIAL = path.resolve(__dirname, '../../fixtures/plugins/official');
const tmp = useTempDir('daemon-rules-');

type Plugin =
  'tools/jiandaoyun' | 'models/longcat' | 'datasources/brightdata_datasource' | 'triggers/github_trigger';

async function copy(plugin: Plugin): Promise<string> {
  const dir = path.join(tmp(), path.basename(plugin));
  await fs.cp(path.join(OFFICIAL, plugin), dir, { recursive: true });
  return dir;
}

async function edit(dir: string, rel: string, change: (text: string) => string): Promise<void> {
  const file = path.join(dir, ...rel.split('/'));
  const before = await fs.readFile(file, 'utf8').catch(() => '');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${rel} changed nothing`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, after);
}

interface Case {
  name: string;
  plugin: Plugin;
  mutate: (dir: string) => Promise<void>;
  code: string;
  file: string;
  /** Text on the reported line. */
  line: string;
  params?: Record<string, string | number>;
}

const manifest = (from: string | RegExp, to: string) => (dir: string) =>
  edit(dir, 'manifest.yaml', (t) => t.replace(from, to));

const cases: Case[] = [
  {
    name: 'meta.version: latest',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('meta:\n  version: 0.0.1', 'meta:\n  version: latest'),
    code: 'META_VERSION_INVALID',
    file: 'manifest.yaml',
    line: '  version: latest',
    params: { value: 'latest' },
  },
  {
    name: 'no created_at',
    plugin: 'tools/jiandaoyun',
    mutate: manifest(/^created_at: .*\n/m, ''),
    code: 'CREATED_AT_MISSING',
    file: 'manifest.yaml',
    line: 'version: 0.0.8',
  },
  {
    name: 'created_at that is not a date',
    plugin: 'models/longcat',
    mutate: manifest(/^created_at: .*$/m, "created_at: 'last tuesday'"),
    code: 'YAML_TYPE',
    file: 'manifest.yaml',
    line: "created_at: 'last tuesday'",
    params: { field: 'created_at', expected: 'time' },
  },
  {
    name: 'arch riscv64',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('    - arm64', '    - riscv64'),
    code: 'VALUE_NOT_ALLOWED',
    file: 'manifest.yaml',
    line: '    - riscv64',
    params: { field: 'meta.arch[1]', value: 'riscv64', allowed: 'amd64, arm64' },
  },
  {
    name: 'runner language go',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('language: python', 'language: go'),
    code: 'VALUE_NOT_ALLOWED',
    file: 'manifest.yaml',
    line: '    language: go',
    params: { field: 'meta.runner.language', value: 'go', allowed: 'python' },
  },
  {
    name: 'no resource.memory',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('  memory: 268435456\n', ''),
    code: 'MEMORY_MISSING',
    file: 'manifest.yaml',
    line: 'resource:',
  },
  {
    name: 'resource.memory that is not a number',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('memory: 268435456', 'memory: 256MB'),
    code: 'YAML_TYPE',
    file: 'manifest.yaml',
    line: '  memory: 256MB',
    params: { field: 'resource.memory', expected: 'int', value: '256MB' },
  },
  {
    name: 'no description',
    plugin: 'tools/jiandaoyun',
    mutate: manifest(/^description:\n( {2}.*\n)+/m, ''),
    code: 'FIELD_MISSING',
    file: 'manifest.yaml',
    line: 'version: 0.0.8',
    params: { field: 'description' },
  },
  {
    name: 'an unknown tag',
    plugin: 'models/longcat',
    mutate: manifest('type: plugin\n', 'type: plugin\ntags:\n  - robots\n'),
    code: 'VALUE_NOT_ALLOWED',
    file: 'manifest.yaml',
    line: '  - robots',
    params: { field: 'tags[0]', value: 'robots' },
  },
  {
    name: 'storage size under 1 KB',
    plugin: 'models/longcat',
    mutate: manifest('    tool:\n      enabled: true', '    storage:\n      enabled: true\n      size: 10'),
    code: 'STORAGE_SIZE_INVALID',
    file: 'manifest.yaml',
    line: '      size: 10',
    params: { value: 10 },
  },
  {
    name: 'an author that is a UUID',
    plugin: 'models/longcat',
    mutate: manifest('author: langgenius', 'author: 0d9f6a2e-9c1b-4d84-9a55-3f1e2b7c8d90'),
    code: 'AUTHOR_UUID',
    file: 'manifest.yaml',
    line: 'author: 0d9f6a2e',
  },
  {
    name: 'repo that is not a URL',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('repo: https://github.com', 'repo: github dot com'),
    code: 'REPO_INVALID',
    file: 'manifest.yaml',
    line: 'repo: github dot com',
  },
  {
    name: 'a description of 1024 characters',
    plugin: 'models/longcat',
    mutate: manifest(/^ {2}en_US: Models provided by LongCat.*$/m, `  en_US: ${'x'.repeat(1024)}`),
    code: 'TEXT_TOO_LONG',
    file: 'manifest.yaml',
    line: '  en_US: xxxx',
    params: { field: 'description.en_US', max: 1023 },
  },
  {
    name: 'plugins that lists nothing',
    plugin: 'models/longcat',
    mutate: manifest('plugins:\n  models:\n  - provider/longcat.yaml\n', 'plugins: {}\n'),
    code: 'PROVIDER_MISSING',
    file: 'manifest.yaml',
    line: 'plugins: {}',
  },
  {
    name: 'models and tools in one manifest',
    plugin: 'models/longcat',
    mutate: async (dir) => {
      await manifest(
        '  - provider/longcat.yaml\n',
        '  - provider/longcat.yaml\n  tools:\n  - provider/tool.yaml\n',
      )(dir);
      await edit(
        dir,
        'provider/tool.yaml',
        () => 'identity: {author: langgenius, name: extra, label: {en_US: Extra}, icon: icon_s_en.svg}\n',
      );
    },
    code: 'PROVIDERS_CONFLICT',
    file: 'manifest.yaml',
    line: '  models:',
    params: { kind: 'models', other: 'tools' },
  },
  {
    name: 'a missing datasource provider icon',
    plugin: 'datasources/brightdata_datasource',
    mutate: (dir) =>
      edit(dir, 'provider/brightdata.yaml', (t) => t.replace('  icon: icon.svg', '  icon: brightdata.svg')),
    code: 'REFERENCE_MISSING',
    file: 'provider/brightdata.yaml',
    line: '  icon: brightdata.svg',
    params: { field: 'identity.icon', target: '_assets/brightdata.svg' },
  },
  {
    name: 'a missing datasource icon',
    plugin: 'datasources/brightdata_datasource',
    mutate: (dir) =>
      edit(dir, 'datasources/brightdata.yaml', (t) => t.replace('  icon: icon.svg', '  icon: web.svg')),
    code: 'REFERENCE_MISSING',
    file: 'datasources/brightdata.yaml',
    line: '  icon: web.svg',
    params: { target: '_assets/web.svg' },
  },
  {
    name: 'a missing trigger provider icon',
    plugin: 'triggers/github_trigger',
    mutate: (dir) =>
      edit(dir, 'provider/github.yaml', (t) => t.replace('  icon: icon.svg', '  icon: github.svg')),
    code: 'REFERENCE_MISSING',
    file: 'provider/github.yaml',
    line: '  icon: github.svg',
    params: { field: 'identity.icon', target: '_assets/github.svg' },
  },
  {
    name: 'a broken model YAML matched by a predefined pattern (type)',
    plugin: 'models/longcat',
    mutate: (dir) =>
      edit(dir, 'models/llm/broken.yaml', () => 'model: broken\nlabel: Broken\nmodel_type: llm\n'),
    code: 'YAML_SHAPE',
    file: 'models/llm/broken.yaml',
    line: 'label: Broken',
    params: { field: 'label', expected: 'mapping', actual: 'scalar' },
  },
  {
    name: 'a broken model YAML matched by a predefined pattern (syntax)',
    plugin: 'models/longcat',
    mutate: (dir) =>
      edit(dir, 'models/llm/broken.yaml', () => 'model: broken\nlabel: {en_US: Broken\nmodel_type: llm\n'),
    code: 'YAML_SYNTAX',
    file: 'models/llm/broken.yaml',
    line: 'model_type: llm',
  },
  {
    name: 'a duplicate key in a predefined model file',
    plugin: 'models/longcat',
    mutate: (dir) =>
      edit(dir, 'models/llm/longcat-2.0.yaml', (t) =>
        t.replace('model_type: llm\n', 'model_type: llm\nmodel_type: llm\n'),
      ),
    code: 'YAML_DUPLICATE_KEY',
    file: 'models/llm/longcat-2.0.yaml',
    line: 'model_type: llm',
    params: { key: 'model_type', firstLine: 5 },
  },
  {
    name: 'an unknown use_template in a model file',
    plugin: 'models/longcat',
    mutate: (dir) =>
      edit(dir, 'models/llm/longcat-2.0.yaml', (t) =>
        t.replace('use_template: temperature', 'use_template: warmth'),
      ),
    code: 'USE_TEMPLATE_UNKNOWN',
    file: 'models/llm/longcat-2.0.yaml',
    line: '    use_template: warmth',
    params: { value: 'warmth' },
  },
  {
    name: 'a predefined pattern Go cannot parse',
    plugin: 'models/longcat',
    mutate: (dir) =>
      edit(dir, 'provider/longcat.yaml', (t) => t.replace('- models/llm/*.yaml', '- models/llm/[*.yaml')),
    code: 'PATTERN_INVALID',
    file: 'provider/longcat.yaml',
    line: '    - models/llm/[*.yaml',
  },
  {
    name: 'a tool parameter flag that is not a bool',
    plugin: 'tools/jiandaoyun',
    mutate: (dir) =>
      edit(dir, 'tools/getApp.yaml', (t) => t.replace(/required: (true|false)/, 'required: maybe')),
    code: 'YAML_TYPE',
    file: 'tools/getApp.yaml',
    line: 'required: maybe',
    params: { expected: 'bool', value: 'maybe' },
  },
  {
    name: 'a duplicate key inside a trigger event parameter (decoded by the daemon)',
    plugin: 'triggers/github_trigger',
    mutate: (dir) =>
      edit(dir, 'events/issues/issues.yaml', (t) =>
        t.replace('  type: select\n', '  type: select\n  type: select\n'),
      ),
    code: 'YAML_DUPLICATE_KEY',
    file: 'events/issues/issues.yaml',
    line: '  type: select',
    params: { key: 'type' },
  },
  {
    name: 'a provider path written with ./',
    plugin: 'tools/jiandaoyun',
    mutate: manifest('    - provider/jiandaoyun.yaml', '    - ./provider/jiandaoyun.yaml'),
    code: 'REFERENCE_NOT_CLEAN',
    file: 'manifest.yaml',
    line: '    - ./provider/jiandaoyun.yaml',
    params: { clean: 'provider/jiandaoyun.yaml' },
  },
  {
    name: 'a Python plugin without requirements.txt or pyproject.toml',
    plugin: 'models/longcat',
    mutate: (dir) => fs.rm(path.join(dir, 'pyproject.toml')),
    code: 'DEPENDENCIES_MISSING',
    file: 'manifest.yaml',
    line: '    language: python',
  },
];

describe('what the plugin daemon refuses, on copies of official plugins', () => {
  it.each(cases)('$name → $code in $file', async (c) => {
    const dir = await copy(c.plugin);
    await c.mutate(dir);
    const { problems } = await checkPluginFolder(dir);
    expect(problems, JSON.stringify(problems, null, 1)).toHaveLength(1);
    const p = problems[0];
    expect(p).toMatchObject({ code: c.code, file: c.file, params: expect.objectContaining(c.params ?? {}) });
    const lines = (await fs.readFile(path.join(dir, ...c.file.split('/')), 'utf8')).split('\n');
    expect(p?.line, 'a line number').toBeGreaterThan(0);
    expect(lines[(p?.line ?? 0) - 1]).toContain(c.line);
    // The message names the file and is translated.
    const en = translate('en', `plugins.problems.${c.code}`, p?.params);
    expect(en).toContain(c.file);
    expect(en).not.toMatch(/\{\{|\$t\(/);
    expect(translate('ja', `plugins.problems.${c.code}`, p?.params)).not.toBe(en);
  });

  it('refuses to package such a copy and says where and how to fix it', async () => {
    const dir = await copy('tools/jiandaoyun');
    await manifest('    - arm64', '    - riscv64')(dir);
    const out = path.join(tmp(), 'out.difypkg');
    const err = await packagePluginFolder(dir, { outFile: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('PLUGIN_MANIFEST_INVALID');
    expect((err as AppError).detail).toMatch(
      /^manifest\.yaml:\d+:\d+: manifest\.yaml: meta\.arch\[1\] is “riscv64”.*amd64, arm64/,
    );
    await expect(fs.stat(out)).rejects.toThrow();
  });

  it('accepts a duplicate key below a key the daemon never reads (extra:)', async () => {
    const dir = await copy('models/longcat');
    await edit(dir, 'provider/longcat.yaml', (t) =>
      t.replace(
        '    provider_source: provider/longcat.py\n',
        '    provider_source: provider/longcat.py\n  note: a\n  note: b\n',
      ),
    );
    expect((await checkPluginFolder(dir)).problems).toEqual([]);
  });
});
