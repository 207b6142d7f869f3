import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { isAppError } from '../../../electron/core/errors';

export const FIXTURE_DIR = path.resolve(__dirname, '../../fixtures/env');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith('.env'))
    .sort();
}

export function readFixture(name: string): Buffer {
  return readFileSync(path.join(FIXTURE_DIR, name));
}

/**
 * Physical lines with their own endings (split after each LF), as latin1 strings (one char per
 * byte), without the BOM.
 */
export function physicalLines(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes)
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '');
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/** Awaits `promise` and expects it to fail with an AppError of `code`. */
export async function expectAppError(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (e) {
    expect(isAppError(e) && e.code, String(e)).toBe(code);
    return;
  }
  throw new Error(`expected AppError ${code}`);
}
