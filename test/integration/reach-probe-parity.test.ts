/**
 * The one-run probe (reach-probe.ts) against the plain truth: for every key and every candidate file,
 * write a sentinel into that file alone, let Compose resolve the copy, and see where it arrives. The
 * resolver must report exactly those arrivals — on both Dify-shaped layouts, with keys set in several
 * files, shadowed by a later file or by `environment:`, set nowhere, and files that do not exist yet.
 * Needs only the Compose v2 CLI (`config` needs no engine); skipped without it, never in CI.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOfCopy } from '../../electron/env/compose-config-copy';
import { EnvDocument } from '../../electron/env/env-file';
import { listCandidates, readDoc } from '../../electron/env/reach-files';
import type { Arrival, ReachProject } from '../../electron/env/reach-model';
import { ReachResolver } from '../../electron/env/reach-resolver';
import { findSentinels, sentinelBase, sentinelsOver } from '../../electron/env/reach-sentinels';
import { TIMEOUT_CATALOG } from '../../electron/env/timeout-catalog';
import { detectCompose, type ComposeBinary } from '../../electron/docker/compose-cli';
import { composeV2Available, skipReason } from '../helpers/docker-available';
import { createTempDirSync, removeTempDir } from '../helpers/temp-dir';

const skip = skipReason('Docker Compose v2 CLI', composeV2Available());
const FIXTURES = path.join(__dirname, '..', 'fixtures');

let bin: ComposeBinary;
const parent = createTempDirSync('reach-parity-');
beforeAll(async () => {
  if (skip) return;
  bin = (await detectCompose(process.platform)).v2 as ComposeBinary;
});
afterAll(() => removeTempDir(parent));

const env = { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_CONFIG: process.env.DOCKER_CONFIG };

function project(fixture: string, name: string, files: Record<string, string>): ReachProject {
  const dir = path.join(parent, name);
  cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return {
    dir,
    composeFile: path.join(dir, 'docker-compose.yaml'),
    envFile: path.join(dir, '.env'),
    projectName: name,
  };
}

const sortArrivals = (list: readonly Arrival[]) =>
  [...list].map((a) => `${a.service}:${a.name ?? ''}:${a.field ?? ''}`).sort();

/** The truth, the slow way: one Compose run per file, sentinels in that file only. */
async function truth(p: ReachProject, keys: readonly string[]): Promise<Map<string, Map<string, string[]>>> {
  const candidates = await listCandidates(p);
  const out = new Map<string, Map<string, string[]>>();
  for (const c of candidates) {
    const base = sentinelBase('');
    const sentinels = sentinelsOver(keys, [base]);
    const result = await configOfCopy(
      bin,
      p,
      candidates,
      async (copy) => {
        const doc = EnvDocument.parse(c.exists ? ((await readDoc(c.abs))?.toBytes() ?? '') : '');
        for (const [sentinel, key] of sentinels) doc.set(key, sentinel);
        mkdirSync(path.dirname(path.join(copy, c.rel)), { recursive: true });
        writeFileSync(path.join(copy, c.rel), doc.toBytes());
      },
      { env, platform: process.platform },
    );
    if (!result.ok) throw result.error;
    const found = findSentinels(result.services, base, sentinels);
    out.set(c.rel, new Map(keys.map((k) => [k, sortArrivals(found.get(k) ?? [])])));
  }
  return out;
}

async function expectParity(p: ReachProject, keys: readonly string[]): Promise<void> {
  const expected = await truth(p, keys);
  const reach = await new ReachResolver({ bin, env }).resolve(p, keys);
  expect(reach.approximate).toBe(false);
  let compared = 0;
  for (const k of reach.keys) {
    for (const f of k.files) {
      expect({ key: k.key, file: f.file, arrivals: sortArrivals(f.arrivals) }).toEqual({
        key: k.key,
        file: f.file,
        arrivals: expected.get(f.file)?.get(k.key),
      });
      compared++;
    }
  }
  expect(compared).toBe(keys.length * expected.size);
}

const KEYS = [
  ...TIMEOUT_CATALOG.map((k) => k.key),
  'FORCE_VERIFYING_SIGNATURE',
  'PLUGIN_MAX_PACKAGE_SIZE',
  'NOT_READ_BY_ANYONE',
];

describe.skipIf(skip)('reach: one probe run equals one run per file', () => {
  it('Layout B: keys set in several files, shadowed by a later file and by environment:, files still missing', async () => {
    const p = project('dify-stack-b', 'parityb', {
      '.env': [
        'COMPOSE_PROFILES=weaviate,postgresql',
        'SANDBOX_WORKER_TIMEOUT=15',
        'GUNICORN_TIMEOUT=360',
        'FORCE_VERIFYING_SIGNATURE=true',
        '',
      ].join('\n'),
      'envs/core-services/shared.env':
        'WORKFLOW_MAX_EXECUTION_TIME=1200\nAPI_TOOL_DEFAULT_READ_TIMEOUT=60\nPLUGIN_MAX_EXECUTION_TIMEOUT=900\n',
      'envs/core-services/api.env': 'WORKFLOW_MAX_EXECUTION_TIME=5\n',
      'envs/core-services/plugin-daemon.env':
        'FORCE_VERIFYING_SIGNATURE=false\nPLUGIN_MAX_EXECUTION_TIMEOUT=600\n',
      'envs/infrastructure/certbot.env': 'WORKFLOW_MAX_EXECUTION_TIME=99\nSANDBOX_WORKER_TIMEOUT=7\n',
    });
    await expectParity(p, KEYS);
  });

  it('Layout B as shipped (a short .env, no envs/*.env yet)', async () => {
    await expectParity(project('dify-stack-b', 'paritybplain', {}), KEYS);
  });

  it('Layout A: one big .env for interpolation, no env_file', async () => {
    await expectParity(project('dify-stack', 'paritya', {}), KEYS);
  });

  it('a second resolver with the same cache folder answers from disk, the same, without Compose', async () => {
    const p = project('dify-stack-b', 'paritycache', {
      'envs/core-services/shared.env': 'GUNICORN_TIMEOUT=200\n',
    });
    const cacheDir = path.join(parent, 'cache');
    const first = await new ReachResolver({ bin, env, cacheDir }).resolve(p, KEYS);
    // A binary that cannot run: any Compose run would fail and make the result approximate.
    const broken: ComposeBinary = { ...bin, command: path.join(parent, 'no-such-compose') };
    const second = await new ReachResolver({ bin: broken, env, cacheDir }).resolve(p, KEYS);
    expect(second).toEqual(first);
    expect(second.approximate).toBe(false);
    // A changed file is a different fingerprint: the broken Compose is asked, and fails.
    writeFileSync(path.join(p.dir, 'envs/core-services/shared.env'), 'GUNICORN_TIMEOUT=201\n');
    const third = await new ReachResolver({ bin: broken, env, cacheDir }).resolve(p, KEYS);
    expect(third.approximate).toBe(true);
  });

  it('resolveNow answers at once from the files while Compose resolves; then the full answer', async () => {
    const p = project('dify-stack-b', 'paritynow', {
      'envs/core-services/shared.env': 'GUNICORN_TIMEOUT=200\n',
    });
    const resolver = new ReachResolver({ bin, env });
    const quick = await resolver.resolveNow(p, KEYS);
    expect(quick.resolving).toBe(true);
    expect(quick.approximate).toBe(false);
    const gunicorn = quick.keys.find((k) => k.key === 'GUNICORN_TIMEOUT');
    expect(gunicorn?.files.find((f) => f.file === 'envs/core-services/shared.env')?.value).toBe('200');
    const full = await resolver.resolve(p, KEYS);
    expect(full.resolving).toBe(false);
    expect(full.approximate).toBe(false);
    const again = await resolver.resolveNow(p, KEYS);
    expect(again).toEqual(full);
  });
});
