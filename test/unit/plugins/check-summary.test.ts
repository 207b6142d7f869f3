/**
 * The folder check as the Plugins page gets it: warnings and the Python dependency source travel
 * through the contract (zod drops a field it does not know, so the schema must carry them), and the
 * terminal line of a finding names its place once.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobManager } from '../../../electron/core/jobs';
import { findingLine, summarizePython } from '../../../electron/plugins/check-summary';
import { PluginsOverviewSchema } from '../../../electron/plugins/contract';
import { PluginService } from '../../../electron/plugins/plugin-service';
import { pythonDependencies } from '../../../electron/plugins/python-deps';
import { EnvSecretStore } from '../../../electron/plugins/secrets';
import { SettingsStore } from '../../../electron/settings/store';
import { useTempDir } from '../../helpers/use-temp-dir';
import { FIXTURE } from './helpers';

const OFFICIAL_MODEL = path.resolve(__dirname, '../../fixtures/plugins/official/models/longcat');
const tmp = useTempDir('check-summary-');

describe('plugin project view', () => {
  it('carries warnings and the dependency source through the contract to the Plugins page', async () => {
    const settings = await SettingsStore.open(path.join(tmp(), 'settings.json'));
    await settings.update({ pluginDirs: [OFFICIAL_MODEL, FIXTURE] });
    const plugins = new PluginService({
      jobs: new JobManager(),
      settings,
      secrets: new EnvSecretStore({}),
      dataDir: tmp(),
    });
    try {
      // What the renderer receives: the handler's answer after the contract's output check.
      const overview = PluginsOverviewSchema.parse(await plugins.overview());
      const [official, local] = overview.projects;
      expect(official?.problems).toEqual([]);
      expect(official?.warnings).toEqual([
        expect.objectContaining({
          code: 'DEPS_NO_REQUIREMENTS_LOCKED',
          file: 'pyproject.toml',
          params: expect.objectContaining({ command: expect.stringMatching(/^uv export --frozen/) }),
        }),
      ]);
      expect(official?.python).toEqual({
        install: 'uv-sync-frozen',
        files: ['pyproject.toml', 'uv.lock'],
        officialAddsRequirements: true,
      });
      expect(local?.warnings).toEqual([]);
      expect(local?.python).toEqual({
        install: 'pip-requirements',
        files: ['requirements.txt'],
        officialAddsRequirements: false,
      });
    } finally {
      plugins.dispose();
    }
  });

  it.each([
    [
      { requirementsTxt: true, pyprojectToml: true, uvLock: true },
      'uv-sync-frozen',
      ['pyproject.toml', 'uv.lock'],
    ],
    [{ requirementsTxt: false, pyprojectToml: true, uvLock: false }, 'uv-sync', ['pyproject.toml']],
    [
      { requirementsTxt: true, pyprojectToml: false, uvLock: false },
      'pip-requirements',
      ['requirements.txt'],
    ],
    [{ requirementsTxt: false, pyprojectToml: false, uvLock: true }, 'none', []],
  ])('names the files the daemon installs from: %j', (present, install, files) => {
    const names = new Set(
      Object.entries({
        'requirements.txt': present.requirementsTxt,
        'pyproject.toml': present.pyprojectToml,
        'uv.lock': present.uvLock,
      })
        .filter(([, on]) => on)
        .map(([name]) => name),
    );
    expect(summarizePython(pythonDependencies(names, present))).toMatchObject({ install, files });
  });
});

describe('findingLine', () => {
  it.each([
    // The text starts with its file: said once, with the position when known.
    [
      { file: 'manifest.yaml', line: 3, column: 9 },
      'manifest.yaml: bad author',
      'manifest.yaml:3:9: bad author',
    ],
    [{ file: 'tools/a.yaml' }, 'tools/a.yaml: missing', 'tools/a.yaml: missing'],
    // The text opens with the file's name as a word of its sentence: left alone.
    [{ file: 'pyproject.toml' }, 'pyproject.toml and uv.lock, but…', 'pyproject.toml and uv.lock, but…'],
    // Anything else gets its place in front.
    [{ file: 'pyproject.toml' }, 'No requirements.txt…', 'pyproject.toml: No requirements.txt…'],
    [{ file: 'a.yaml', line: 2 }, 'a.yaml is odd', 'a.yaml:2:1: a.yaml is odd'],
  ])('%j + %s', (where, text, line) => {
    expect(findingLine({ code: 'X', params: {}, ...where }, text)).toBe(line);
  });
});
