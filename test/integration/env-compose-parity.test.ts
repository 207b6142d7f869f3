/**
 * Differential check of the editor's reading rules against the real thing: Docker Compose v2 reads
 * the same files (as `env_file:` of a throw-away project; `config` needs no engine) and must see the
 * same value for every key. Skipped only when no Compose v2 CLI is installed (never in CI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from '../../electron/env/env-file';
import { difyLikeEnv } from '../fixtures/env/dify-like';
import { composeV2Available, skipReason } from '../helpers/docker-available';
import { validEnvFile } from '../unit/env/arbitraries';
import { fixtureNames, readFixture } from '../unit/env/helpers';

// `compose config` needs no engine, only the Compose v2 CLI; in CI its absence is a failure.
const skip = skipReason('Docker Compose v2 CLI', composeV2Available());
const work = mkdtempSync(path.join(tmpdir(), 'env-parity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Environment = Record<string, string | null>;

/** Resolves the files as env_file of one service each; returns each service's environment. */
function composeRead(files: Buffer[]): { ok: true; envs: Environment[] } | { ok: false; error: string } {
  const dir = mkdtempSync(path.join(work, 'p-'));
  const services = files.map((bytes, i) => {
    writeFileSync(path.join(dir, `f${i}.env`), bytes);
    return `  s${i}:\n    image: parity-test-never-pulled\n    env_file: f${i}.env\n`;
  });
  writeFileSync(path.join(dir, 'compose.yaml'), `services:\n${services.join('')}`);
  const run = spawnSync('docker', ['compose', '-p', 'env-parity', 'config', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  if (run.status !== 0) return { ok: false, error: run.stderr };
  const config = JSON.parse(run.stdout) as { services: Record<string, { environment?: Environment }> };
  return { ok: true, envs: files.map((_, i) => config.services[`s${i}`]?.environment ?? {}) };
}

/** What the editor says Compose sees, for the keys whose value involves no interpolation. */
function expectSameAsCompose(bytes: Buffer, composeEnv: Environment): void {
  const doc = parse(bytes);
  const checked = new Set<string>();
  for (const entry of doc.entries()) {
    if (entry.overridden || checked.has(entry.key)) continue;
    checked.add(entry.key);
    const ours = doc.get(entry.key);
    if (entry.inherited && ours === undefined) {
      expect(composeEnv[entry.key], entry.key).toBeUndefined();
      continue;
    }
    // `config` prints `$` as `$$` so that its output can be read again.
    const theirs = composeEnv[entry.key]?.replace(/\$\$/g, '$');
    if (entry.interpolated && ours?.includes('$')) continue; // interpolation is Compose's next step
    expect(theirs, `${entry.key} in ${JSON.stringify(bytes.toString('latin1'))}`).toBe(ours);
  }
  for (const key of Object.keys(composeEnv)) expect(checked.has(key), `Compose saw ${key}`).toBe(true);
}

describe.skipIf(skip)('same values as Docker Compose v2', () => {
  it('every fixture, and the Dify-like file in both line-ending styles', () => {
    const named = fixtureNames().filter((n) => n !== 'invalid-lines.env' && n !== 'non-utf8.env');
    const files = [
      ...named.map(readFixture),
      difyLikeEnv(),
      difyLikeEnv({ eol: '\r\n', bom: true }),
      // A Shift_JIS comment: Compose and the editor both skip it; the UTF-8 values must agree.
      Buffer.concat([
        Buffer.from('GUNICORN_TIMEOUT=3600 # '),
        Buffer.from([0x88, 0xea, 0x8e, 0x9e, 0x8a, 0xd4]),
        Buffer.from('\r\nQUOTED="日本語 # 値"\r\nGREETING=こんにちは　\r\n', 'utf8'),
      ]),
    ];
    const result = composeRead(files);
    if (!result.ok) throw new Error(result.error);
    files.forEach((bytes, i) => expectSameAsCompose(bytes, result.envs[i] as Environment));
  });

  it('Compose also rejects what the editor reports as invalid', () => {
    const lines = physicalInvalidLines();
    for (const line of lines) {
      const result = composeRead([Buffer.from(`GOOD=1\n${line}\n`)]);
      expect(result.ok, line).toBe(false);
    }
  });

  it('150 generated files', () => {
    const files = fc.sample(validEnvFile, { numRuns: 150, seed: 4242 });
    const result = composeRead(files);
    if (!result.ok) throw new Error(result.error);
    files.forEach((bytes, i) => expectSameAsCompose(bytes, result.envs[i] as Environment));
  });

  it('values written by set() read back the same in Compose', () => {
    const values = [
      'two words',
      'x # y',
      ' padded ',
      'say "hi"',
      'line1\nline2',
      'back\\slash',
      "it's",
      '#start',
      '',
    ];
    const doc = parse(readFixture('quotes.env'));
    values.forEach((value, i) => doc.set(`NEW_${i}`, value));
    doc.set('SINGLE', 'a # b');
    doc.set('DOUBLE', 'c "d"');
    doc.set('MULTI', 'one\ntwo');
    doc.set('PASSWORD', 'n3w$ecret');
    const result = composeRead([doc.toBytes()]);
    if (!result.ok) throw new Error(result.error);
    const env = result.envs[0] as Environment;
    values.forEach((value, i) => expect(env[`NEW_${i}`]).toBe(value));
    expect(env.SINGLE).toBe('a # b');
    expect(env.DOUBLE).toBe('c "d"');
    expect(env.MULTI).toBe('one\ntwo');
    expect(env.PASSWORD?.replace(/\$\$/g, '$')).toBe('n3w$ecret');
  });
});

/** The invalid lines of the fixture that Compose itself refuses (line-level reasons). */
function physicalInvalidLines(): string[] {
  return parse(readFixture('invalid-lines.env'))
    .invalidLines()
    .filter(
      (l) => l.reason === 'KEY_HAS_SPACE' || l.reason === 'BAD_KEY_CHAR' || l.reason === 'UNTERMINATED_QUOTE',
    )
    .map((l) => l.text);
}
