/** The Dify / plugin daemon release from image tags, and the rule set of its era (facts.md boundaries). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectRelease,
  releaseFromImage,
  releaseInfo,
  ruleSetOf,
  rulesFor,
  type RuleSetId,
} from '../../../electron/env/dify-release';

describe('ruleSetOf: the era of a release', () => {
  it.each<[string | null, RuleSetId | null]>([
    ['1.0.0', 'upTo1.8'],
    ['1.8.1', 'upTo1.8'],
    ['1.9.0', '1.9-1.11.1'],
    ['1.11.1', '1.9-1.11.1'],
    ['1.11.2', '1.12-1.15'],
    ['1.12.0', '1.12-1.15'],
    ['1.15.9', '1.12-1.15'],
    ['1.16.0', '1.16.0'],
    ['1.16.1', 'newest'],
    ['2.0.0', 'newest'],
    ['v1.13.3', '1.12-1.15'],
    ['2.0.0-beta.1', null],
    ['latest', null],
    [null, null],
  ])('%s → %s', (release, ruleSet) => {
    expect(ruleSetOf(release)).toBe(ruleSet);
  });

  it('the rules that change at each boundary', () => {
    expect(rulesFor('upTo1.8')).toMatchObject({
      workflowMaxCheck: 'beforeNode',
      pluginDaemonTimeoutDefault: 300,
      pluginDaemonTimeoutInEnv: false,
    });
    expect(rulesFor('1.9-1.11.1')).toMatchObject({
      workflowMaxCheck: 'nodeEnd',
      pluginDaemonTimeoutDefault: 300,
    });
    expect(rulesFor('1.12-1.15')).toMatchObject({
      pluginDaemonTimeoutDefault: 600,
      pluginDaemonTimeoutInEnv: true,
      appMaxWatchdog: 'allApps',
    });
    expect(rulesFor('1.16.0')).toMatchObject({ appMaxWatchdog: 'allApps', workflowMaxWatchdog: false });
    expect(rulesFor('newest')).toMatchObject({ appMaxWatchdog: 'chatOnly', workflowMaxWatchdog: true });
  });

  it('unknown release: the newest rules, assumed; the daemon decides PLUGIN_INSTALL_TIMEOUT', () => {
    expect(releaseInfo(null)).toMatchObject({
      assumed: true,
      rules: { ruleSet: 'newest' },
      pluginInstallTimeout: null,
    });
    expect(releaseInfo('1.13.3', '0.5.3')).toMatchObject({ assumed: false, pluginInstallTimeout: false });
    expect(releaseInfo('1.16.0', '0.5.5')).toMatchObject({ pluginInstallTimeout: true });
    expect(releaseInfo('1.16.0', '0.6.1')).toMatchObject({ pluginInstallTimeout: true });
  });
});

describe('releaseFromImage', () => {
  it.each<[string | undefined, string, string | null]>([
    ['langgenius/dify-api:1.16.0', 'dify-api', '1.16.0'],
    ['docker.io/langgenius/dify-api:1.9.1@sha256:abc', 'dify-api', '1.9.1'],
    ['langgenius/dify-api:latest', 'dify-api', null],
    ['langgenius/dify-web:1.16.0', 'dify-api', null],
    ['langgenius/dify-plugin-daemon:0.5.3-local', 'dify-plugin-daemon', '0.5.3'],
    [undefined, 'dify-api', null],
  ])('%s', (image, repo, release) => {
    expect(releaseFromImage(image, repo)).toBe(release);
  });
});

describe('detectRelease', () => {
  it('the running api container first, then the compose file when stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-'));
    const composeFile = join(dir, 'docker-compose.yaml');
    writeFileSync(
      composeFile,
      'services:\n  api:\n    image: langgenius/dify-api:1.13.3\n  plugin_daemon:\n    image: langgenius/dify-plugin-daemon:0.5.3-local\n',
    );
    const running = await detectRelease({
      containers: [
        { service: 'api', state: 'exited', image: 'langgenius/dify-api:1.12.0' },
        { service: 'api', state: 'running', image: 'langgenius/dify-api:1.16.0' },
      ],
      composeFile,
    });
    expect(running).toMatchObject({
      dify: '1.16.0',
      daemon: '0.5.3',
      assumed: false,
      rules: { ruleSet: '1.16.0' },
    });
    const stopped = await detectRelease({ containers: [], composeFile });
    expect(stopped).toMatchObject({ dify: '1.13.3', daemon: '0.5.3', pluginInstallTimeout: false });
    const none = await detectRelease({ containers: [], composeFile: join(dir, 'missing.yaml') });
    expect(none).toMatchObject({ dify: null, assumed: true, rules: { ruleSet: 'newest' } });
  });
});
