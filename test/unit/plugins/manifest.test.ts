import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTranslation, translate } from '../../../electron/core/i18n';
import { checkPluginFolder, normalizeRef, type ManifestProblem } from '../../../electron/plugins/manifest';
import { PROBLEM_CODES, WARNING_CODES } from '../../../electron/plugins/manifest-problems';
import { PYTHON_INSTALLS } from '../../../electron/plugins/python-deps';
import { copyFixture, editManifest, FIXTURE, removeTempDirs, tempDir, write } from './helpers';

afterAll(removeTempDirs);

const codes = (problems: ManifestProblem[]): string[] => problems.map((p) => p.code);

describe('checkPluginFolder', () => {
  it('accepts the fixture plugin and reads its identity', async () => {
    const check = await checkPluginFolder(FIXTURE);
    expect(check.problems).toEqual([]);
    expect(check.manifest).toMatchObject({
      author: 'local_dev',
      name: 'sd_tool',
      version: '0.1.0',
      type: 'plugin',
      pluginId: 'local_dev/sd_tool',
      icon: 'icon.svg',
      runnerLanguage: 'python',
      entrypoint: 'main',
    });
    expect(check.manifest?.label.ja_JP).toBe('Stable Diffusion（ローカル）');
    expect(check.references).toEqual([
      '_assets/icon.svg',
      'main.py',
      'provider/sd_tool.py',
      'provider/sd_tool.yaml',
      'tools/txt2img.py',
      'tools/txt2img.yaml',
    ]);
  });

  it('reports a folder without manifest.yaml', async () => {
    const dir = await tempDir();
    const check = await checkPluginFolder(dir);
    expect(check.manifest).toBeNull();
    expect(codes(check.problems)).toEqual(['MANIFEST_MISSING']);
  });

  it('reports broken YAML with line and column instead of throwing', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => t.replace('name: sd_tool', 'name: [sd_tool'));
    const check = await checkPluginFolder(dir);
    expect(check.manifest).toBeNull();
    const p = check.problems[0];
    expect(p?.code).toBe('YAML_SYNTAX');
    expect(p?.file).toBe('manifest.yaml');
    expect(p?.line).toBeGreaterThanOrEqual(4);
    expect(p?.params.reason).toBeTruthy();
  });

  it('reports a duplicate key where the daemon reads it, once, with both lines', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => `${t}\nname: again\n`);
    const check = await checkPluginFolder(dir);
    // yaml.v3 refuses the whole mapping: one problem, no follow-on "missing field" noise.
    expect(check.problems).toEqual([
      expect.objectContaining({
        code: 'YAML_DUPLICATE_KEY',
        file: 'manifest.yaml',
        params: expect.objectContaining({ key: 'name', firstLine: 4 }),
      }),
    ]);
    const lines = (await fs.readFile(path.join(dir, 'manifest.yaml'), 'utf8')).split('\n');
    expect(lines[(check.problems[0]?.line ?? 0) - 1]).toBe('name: again');
  });

  it('reports a manifest that is not a mapping', async () => {
    const dir = await tempDir();
    await write(dir, 'manifest.yaml', '- just\n- a list\n');
    const check = await checkPluginFolder(dir);
    expect(codes(check.problems)).toEqual(['YAML_NOT_MAPPING']);
  });

  it.each([
    ['author', 'author: local_dev', 'author: Local Dev', 'AUTHOR_INVALID'],
    ['author too long', 'author: local_dev', `author: ${'a'.repeat(65)}`, 'AUTHOR_INVALID'],
    ['name', 'name: sd_tool', 'name: SD.Tool', 'NAME_INVALID'],
    ['version', 'version: 0.1.0', 'version: 1.0', 'VERSION_INVALID'],
    ['version with 4 parts', 'version: 0.1.0', 'version: 0.1.0.1', 'VERSION_INVALID'],
    ['type', 'type: plugin', 'type: bundle', 'TYPE_INVALID'],
  ])('rejects a bad %s with its line', async (_label, from, to, code) => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => t.replace(from, to));
    const check = await checkPluginFolder(dir);
    const problem = check.problems.find((p) => p.code === code);
    expect(problem, JSON.stringify(check.problems)).toBeDefined();
    const lineText = (await fs.readFile(path.join(dir, 'manifest.yaml'), 'utf8')).split('\n')[
      (problem?.line ?? 0) - 1
    ];
    expect(lineText).toContain(to.split(':')[0]);
  });

  it('accepts a version with a suffix', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => t.replace('version: 0.1.0', 'version: 0.1.0-beta2'));
    expect((await checkPluginFolder(dir)).problems).toEqual([]);
  });

  it('reports missing required fields', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => t.replace(/^author: .*\n/m, '').replace(/^label:\n( {2}.*\n)+/m, ''));
    const problems = (await checkPluginFolder(dir)).problems;
    expect(problems.filter((p) => p.code === 'FIELD_MISSING').map((p) => p.params.field)).toEqual([
      'author',
      'label',
    ]);
  });

  it('reports a missing provider YAML, tool YAML, python source, icon and entrypoint', async () => {
    const dir = await copyFixture();
    await fs.rm(path.join(dir, 'tools/txt2img.yaml'));
    await fs.rm(path.join(dir, 'provider/sd_tool.py'));
    await fs.rm(path.join(dir, '_assets/icon.svg'));
    await fs.rm(path.join(dir, 'main.py'));
    const problems = (await checkPluginFolder(dir)).problems;
    const missing = problems
      .filter((p) => p.code === 'REFERENCE_MISSING')
      .map((p) => `${p.file} → ${p.params.target}`);
    expect(missing.sort()).toEqual(
      [
        'manifest.yaml → _assets/icon.svg',
        'manifest.yaml → main.py',
        'provider/sd_tool.yaml → _assets/icon.svg',
        'provider/sd_tool.yaml → provider/sd_tool.py',
        'provider/sd_tool.yaml → tools/txt2img.yaml',
      ].sort(),
    );
    // Each problem points at the line of the reference.
    const toolRef = problems.find((p) => p.params.target === 'tools/txt2img.yaml');
    const providerLines = (await fs.readFile(path.join(dir, 'provider/sd_tool.yaml'), 'utf8')).split('\n');
    expect(providerLines[(toolRef?.line ?? 0) - 1]).toContain('tools/txt2img.yaml');
  });

  it('reports a missing provider YAML listed in plugins.tools', async () => {
    const dir = await copyFixture();
    await fs.rm(path.join(dir, 'provider/sd_tool.yaml'));
    const problems = (await checkPluginFolder(dir)).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'REFERENCE_MISSING',
        file: 'manifest.yaml',
        params: expect.objectContaining({ field: 'plugins.tools', target: 'provider/sd_tool.yaml' }),
      }),
    ]);
  });

  it('reports broken YAML in a referenced file with that file name', async () => {
    const dir = await copyFixture();
    await write(dir, 'tools/txt2img.yaml', 'identity:\n  name: "unterminated\n');
    const p = (await checkPluginFolder(dir)).problems[0];
    expect(p).toMatchObject({ code: 'YAML_SYNTAX', file: 'tools/txt2img.yaml' });
  });

  it('reports a reference whose letter case differs from the file (Linux is case-sensitive)', async () => {
    const dir = await copyFixture();
    await write(
      dir,
      'provider/sd_tool.yaml',
      (await fs.readFile(path.join(dir, 'provider/sd_tool.yaml'), 'utf8')).replace(
        'tools/txt2img.yaml',
        'tools/Txt2Img.yaml',
      ),
    );
    const p = (await checkPluginFolder(dir)).problems.find((x) => x.code === 'REFERENCE_CASE_MISMATCH');
    expect(p?.params).toMatchObject({ target: 'tools/Txt2Img.yaml', actual: 'tools/txt2img.yaml' });
  });

  it('reports references that leave the folder or use backslashes', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) =>
      t.replace('    - provider/sd_tool.yaml', '    - ../outside.yaml\n    - provider\\sd_tool.yaml'),
    );
    const c = codes((await checkPluginFolder(dir)).problems);
    expect(c).toEqual(['REFERENCE_OUTSIDE', 'REFERENCE_BACKSLASH']);
  });

  it('reports a referenced file that the ignore rules leave out of the package', async () => {
    const check = await checkPluginFolder(FIXTURE, {
      packagedFiles: new Set([
        'manifest.yaml',
        'requirements.txt',
        'main.py',
        '_assets/icon.svg',
        'provider/sd_tool.yaml',
        'provider/sd_tool.py',
        'tools/txt2img.py',
      ]),
      ignoreFile: '.difyignore',
    });
    expect(check.problems).toEqual([
      expect.objectContaining({
        code: 'REFERENCE_IGNORED',
        params: expect.objectContaining({ target: 'tools/txt2img.yaml', ignoreFile: '.difyignore' }),
      }),
    ]);
  });

  it('applies the ignore rules itself when the caller gives no file list', async () => {
    const dir = await copyFixture();
    await write(dir, '.difyignore', 'tools/*.yaml\n');
    const check = await checkPluginFolder(dir);
    expect(check.problems).toEqual([
      expect.objectContaining({
        code: 'REFERENCE_IGNORED',
        params: expect.objectContaining({ target: 'tools/txt2img.yaml' }),
      }),
    ]);
    expect(String(check.problems[0]?.params.ignoreFile)).toContain('.difyignore');
  });

  it('reports plugins.tools that is not a list', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) =>
      t.replace('  tools:\n    - provider/sd_tool.yaml', '  tools: provider/sd_tool.yaml'),
    );
    // One problem: not also "plugins lists nothing".
    expect(codes((await checkPluginFolder(dir)).problems)).toEqual(['FIELD_NOT_LIST']);
  });

  it('follows model providers: icons, position files, predefined files and python sources', async () => {
    const dir = await tempDir();
    await write(
      dir,
      'manifest.yaml',
      [
        'version: 0.0.1',
        'type: plugin',
        'author: me',
        'name: my_models',
        'label: {en_US: My models}',
        'description: {en_US: Models}',
        'icon: icon.svg',
        'resource: {memory: 268435456}',
        'plugins:',
        '  models:',
        '    - provider/models.yaml',
        'meta: {version: 0.0.1, arch: [amd64], runner: {language: python, version: "3.12", entrypoint: main}}',
        'created_at: 2025-01-01T00:00:00Z',
      ].join('\n'),
    );
    await write(dir, 'main.py', '');
    await write(dir, 'requirements.txt', 'dify_plugin\n');
    await write(dir, '_assets/icon.svg', '<svg/>');
    await write(
      dir,
      'provider/models.yaml',
      [
        'provider: my_models',
        'label: {en_US: My models}',
        'icon_small: {en_US: small.svg}',
        'icon_large: {en_US: large.svg}',
        'supported_model_types: [llm]',
        'configurate_methods: [predefined-model]',
        'models:',
        '  llm:',
        '    predefined: ["models/llm/*.yaml", "models/llm/fixed.yaml"]',
        '    position: models/llm/_position.yaml',
        'extra:',
        '  python:',
        '    provider_source: provider/models.py',
        '    model_sources: [models/llm/llm.py]',
      ].join('\n'),
    );
    await write(dir, '_assets/small.svg', '<svg/>');
    await write(dir, 'provider/models.py', '');
    await write(dir, 'models/llm/a.yaml', 'model: a\nlabel: {en_US: A}\nmodel_type: llm\n');
    const check = await checkPluginFolder(dir);
    expect(check.problems.map((p) => `${p.code} ${p.params.target}`).sort()).toEqual(
      [
        'REFERENCE_MISSING _assets/large.svg',
        'REFERENCE_MISSING models/llm/_position.yaml',
        'REFERENCE_MISSING models/llm/llm.py',
      ].sort(),
    );
    // The daemon skips a literal predefined path that matches no file: a warning, not a refusal.
    expect(check.warnings.map((w) => `${w.code} ${w.params.value}`)).toEqual([
      'PREDEFINED_NO_MATCH models/llm/fixed.yaml',
    ]);
    expect(check.references).toContain('models/llm/a.yaml');
  });

  it('has an i18n text in both languages for every problem and warning code it can report', () => {
    const keys = [
      ...PROBLEM_CODES.map((c) => `plugins.problems.${c}`),
      ...WARNING_CODES.map((c) => `plugins.warnings.${c}`),
      ...PYTHON_INSTALLS.map((m) => `plugins.pythonInstall.${m}`),
    ];
    expect(keys.length).toBeGreaterThan(40);
    for (const key of keys) {
      expect(hasTranslation(key), key).toBe(true);
      expect(translate('ja', key, { file: 'f' }), key).not.toBe(translate('en', key, { file: 'f' }));
    }
  });

  it('nests the kind of value in type problems, in both languages', () => {
    const params = { file: 'a.yaml', field: 'resource.memory', expected: 'int', value: 'lots' };
    expect(translate('en', 'plugins.problems.YAML_TYPE', params)).toContain('must be a whole number');
    expect(translate('ja', 'plugins.problems.YAML_TYPE', params)).toContain('整数');
  });
});

describe('normalizeRef', () => {
  it.each([
    ['tools/a.yaml', 'tools/a.yaml'],
    ['./tools/./a.yaml', 'tools/a.yaml'],
    ['tools/../main.py', 'main.py'],
    ['../a.yaml', null],
    ['/etc/passwd', null],
    ['C:/x.yaml', null],
    ['', null],
  ])('%s → %s', (input, expected) => {
    expect(normalizeRef(input)).toBe(expected);
  });
});
