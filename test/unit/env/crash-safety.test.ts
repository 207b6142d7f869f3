/**
 * Crash safety with real process death: a child rewrites a file atomically in a loop and is killed
 * (SIGKILL, no clean-up of any kind) at random moments. Every time, the file must hold exactly one
 * of the two complete contents. The child is bundled once with esbuild so each run starts fast.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../electron/env/atomic-write';

const SIZE = 4 * 1024 * 1024;
const RUNS = 15;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'crash-'));
  child = path.join(dir, 'child.cjs');
  await build({
    entryPoints: [path.join(__dirname, 'crash-writer-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: child,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function killDuringWrites(file: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, file, String(SIZE)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    proc.once('error', reject);
    proc.once('exit', () => resolve());
    proc.stdout.once('data', () => setTimeout(() => proc.kill('SIGKILL'), delayMs));
  });
}

describe('crash safety', () => {
  it(`a writer killed at random moments leaves the old or the new file, never a mix (${RUNS} kills)`, async () => {
    const file = path.join(dir, '.env');
    const whole = (c: string) => Buffer.alloc(SIZE, c);
    writeFileSync(file, whole('A'));
    let interrupted = 0;
    for (let run = 0; run < RUNS; run++) {
      await killDuringWrites(file, 20 + ((run * 37) % 180));
      const bytes = readFileSync(file);
      const isA = bytes.equals(whole('A'));
      const isB = bytes.equals(whole('B'));
      expect(
        isA || isB,
        `run ${run}: ${bytes.length} bytes, first ${bytes[0]}, last ${bytes[bytes.length - 1]}`,
      ).toBe(true);
      if (readdirSync(dir).some((n) => n.endsWith('.tmp'))) interrupted++;
    }
    // Proof that kills really landed mid-write (a temp file was left behind)…
    expect(interrupted).toBeGreaterThan(0);
    // …and the next write clears what the dead writers left.
    await writeFileAtomic(file, Buffer.from('DONE=1\n'));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('DONE=1\n');
  }, 120_000);
});
