/**
 * Real plugins that Dify's own packager accepts (test/fixtures/plugins/official, one per kind) must
 * pass our check and package the same way every time. jiandaoyun and github_trigger were refused
 * before: YAML that Go's yaml.v3 reads, and a duplicate key where the daemon never looks.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPluginFolder } from '../../../electron/plugins/manifest';
import { listPackageFiles, packagePluginFolder } from '../../../electron/plugins/packager';
import { GoYamlDecoder } from '../../../electron/plugins/go-yaml-decode';
import { TOOL } from '../../../electron/plugins/declaration-types';
import { loadYaml } from '../../../electron/plugins/yaml-load';
import { useTempDir } from '../../helpers/use-temp-dir';
import { zipEntryNames } from '../../helpers/zip';

const OFFICIAL = path.resolve(__dirname, '../../fixtures/plugins/official');
const tmp = useTempDir('official-plugins-');

const PLUGINS = [
  ['tools/jiandaoyun', 'langgenius/jiandaoyun', 9],
  ['models/longcat', 'langgenius/longcat', 0],
  ['extensions/openai_compatible', 'langgenius/oaicompat_dify_app', 0],
  ['agent-strategies/self_refine_agent', 'langgenius/self_refine_agent', 0],
  ['datasources/brightdata_datasource', 'langgenius/brightdata_datasource', 0],
  ['triggers/github_trigger', 'langgenius/github_trigger', 0],
] as const;

describe('official plugins', () => {
  it.each(PLUGINS)(
    '%s passes the check and packages identically twice',
    async (rel, pluginId, tools) => {
      const dir = path.join(OFFICIAL, rel);
      const check = await checkPluginFolder(dir);
      expect(check.problems).toEqual([]);
      expect(check.manifest?.pluginId).toBe(pluginId);
      if (tools) expect(check.references.filter((r) => /^tools\/.*\.yaml$/.test(r))).toHaveLength(tools);
      // Every one ships pyproject.toml + uv.lock and no requirements.txt: the daemon runs uv sync --frozen,
      // and the official packager would have added a requirements.txt.
      expect(check.python).toMatchObject({ install: 'uv-sync-frozen', officialAddsRequirements: true });
      expect(check.warnings.map((w) => w.code)).toEqual(['DEPS_NO_REQUIREMENTS_LOCKED']);

      const a = await packagePluginFolder(dir, { outFile: path.join(tmp(), 'a.difypkg') });
      const b = await packagePluginFolder(dir, { outFile: path.join(tmp(), 'b.difypkg') });
      expect(a.sha256).toBe(b.sha256);
      expect(await fs.readFile(a.path)).toEqual(await fs.readFile(b.path));
      expect(await zipEntryNames(a.path)).toEqual((await listPackageFiles(dir)).files.map((f) => f.rel));
      expect(a.check.warnings).toEqual(check.warnings);
      // github_trigger has 140+ event files (0.8 MB of YAML), read three times here.
    },
    30_000,
  );

  it('reads jiandaoyun’s under-indented quoted descriptions as Go’s yaml.v3 does', async () => {
    const text = await fs.readFile(path.join(OFFICIAL, 'tools/jiandaoyun/tools/createRecords.yaml'), 'utf8');
    const loaded = loadYaml(text);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    const decoder = new GoYamlDecoder(loaded.yaml);
    const tool = decoder.decodeRoot(TOOL) as { parameters: { name: string; llm_description?: string }[] };
    expect(decoder.issues).toEqual([]);
    const data = tool.parameters.find((p) => p.name === 'data_list')?.llm_description ?? '';
    // Folded like any multi-line flow scalar: line breaks become spaces, `\"` and `\n` are escapes,
    // the escaped line break at the end of the first line joins without a space.
    expect(
      data.startsWith('the list of the records you want to insert , every record is in the format'),
    ).toBe(true);
    expect(data).toContain(
      'example:"data_list": [\n      { "_widget_1432728651402": { // 单行文本 "value": "简道云1" },',
    );
    // Line numbers stay those of the file: the next key is where the file has it.
    const formLine = text.split('\n').findIndex((l, i) => i > 54 && l.trim() === 'form: llm') + 1;
    const form = loaded.yaml.doc?.getIn(['parameters', 2, 'form'], true) as { range?: [number] } | undefined;
    expect(loaded.yaml.lines.linePos(form?.range?.[0] ?? 0).line).toBe(formLine);
  });

  it('still refuses a quote that never closes, with one problem for the file', async () => {
    const dir = path.join(tmp(), 'jiandaoyun');
    await fs.cp(path.join(OFFICIAL, 'tools/jiandaoyun'), dir, { recursive: true });
    const file = path.join(dir, 'tools/getRecords.yaml');
    const text = await fs.readFile(file, 'utf8');
    // Cut the closing quote of the last multi-line description: now it runs to the end of the file.
    const open = text.indexOf('llm_description: "fields of the data');
    const close = text.indexOf('"\n', open + 20);
    await fs.writeFile(file, text.slice(0, close) + text.slice(close + 1));
    const { problems } = await checkPluginFolder(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'YAML_SYNTAX', file: 'tools/getRecords.yaml' });
  });
});
