import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../electron/core/errors';
import { parse } from '../../../electron/env/env-file';
import { KEY_POOL, junkEnvFile, newValue, validEnvFile } from './arbitraries';
import { physicalLines } from './helpers';

function snapshot(bytes: Buffer): Map<string, string | undefined> {
  const doc = parse(bytes);
  return new Map(doc.entries().map((e) => [e.key, doc.get(e.key)]));
}

describe('property: random edits never change any other line', () => {
  it('set(key, value) → get(key) === value; every other line and value unchanged', () => {
    fc.assert(
      fc.property(
        validEnvFile,
        fc.array(fc.tuple(fc.constantFrom(...KEY_POOL, 'NEW_KEY'), newValue), { minLength: 1, maxLength: 5 }),
        (initial, edits) => {
          expect(parse(initial).invalidLines()).toEqual([]);
          let bytes: Buffer = initial;
          for (const [key, value] of edits) {
            const doc = parse(bytes);
            const target = doc.entries().find((e) => e.key === key && !e.overridden);
            const before = physicalLines(bytes);
            const valuesBefore = snapshot(bytes);
            try {
              doc.set(key, value);
            } catch (e) {
              // The only refusal a valid file allows: a `$` that must stay literal in single quotes
              // together with a character single quotes cannot hold.
              expect(isAppError(e) && e.code).toBe('ENV_VALUE_UNWRITABLE');
              expect(target?.quote).toBe("'");
              expect(value).toContain('$');
              expect(Buffer.compare(doc.toBytes(), bytes)).toBe(0);
              continue;
            }
            const after = doc.toBytes();
            const lines = physicalLines(after);
            expect(doc.get(key)).toBe(value);
            expect(parse(after).get(key)).toBe(value);
            expect(parse(after).invalidLines()).toEqual([]);

            if (target) {
              const start = target.line - 1;
              expect(lines.slice(0, start)).toEqual(before.slice(0, start));
              const newCount = lines.length - (before.length - target.lineCount);
              expect(lines.slice(start + newCount)).toEqual(before.slice(start + target.lineCount));
            } else {
              // Appended: the old lines stay, the last one gains a line ending if it had none.
              expect(lines.length).toBeGreaterThan(before.length);
              expect(lines.slice(0, Math.max(0, before.length - 1))).toEqual(before.slice(0, -1));
              const lastBefore = before[before.length - 1];
              if (lastBefore !== undefined)
                expect(lines[before.length - 1]?.startsWith(lastBefore)).toBe(true);
            }

            const valuesAfter = snapshot(after);
            for (const [k, v] of valuesBefore) if (k !== key) expect(valuesAfter.get(k)).toBe(v);
            bytes = after;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('round trip holds for any bytes, and parsing never throws', () => {
    fc.assert(
      fc.property(junkEnvFile, (bytes) => {
        const doc = parse(bytes);
        expect(Buffer.compare(doc.toBytes(), bytes)).toBe(0);
        doc.entries();
        doc.invalidLines();
      }),
      { numRuns: 500 },
    );
  });

  it('edits in files with invalid lines either work cleanly or throw and change nothing', () => {
    fc.assert(
      fc.property(junkEnvFile, fc.constantFrom(...KEY_POOL), newValue, (bytes, key, value) => {
        const doc = parse(bytes);
        const invalidBefore = doc.invalidLines();
        try {
          doc.set(key, value);
        } catch (e) {
          expect(isAppError(e)).toBe(true);
          expect(Buffer.compare(doc.toBytes(), bytes)).toBe(0);
          return;
        }
        expect(parse(doc.toBytes()).get(key)).toBe(value);
        expect(
          parse(doc.toBytes())
            .invalidLines()
            .map((l) => l.text),
        ).toEqual(invalidBefore.map((l) => l.text));
      }),
      { numRuns: 300 },
    );
  });
});
