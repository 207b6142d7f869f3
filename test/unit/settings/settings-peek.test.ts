import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../electron/settings/schema';
import { peekSettings, peekSettingsText } from '../../../electron/settings/settings-peek';
import { readSettingsText } from '../../../electron/settings/settings-file';
import { useTempDir } from '../../helpers/use-temp-dir';

const tempDir = useTempDir('settings-peek-');
let file: string;
beforeEach(() => {
  file = path.join(tempDir(), 'settings.json');
});

const peek = async (text: string) => {
  await writeFile(file, text);
  return peekSettings(file);
};

describe('peekSettings', () => {
  it('gives the defaults for a missing file', async () => {
    // The schema's own defaults, whatever they are.
    const { difyDir, language, ollamaPath, ollamaHost, a1111Dir, a1111Port } = SettingsSchema.parse({});
    expect(await peekSettings(file)).toEqual({
      difyDir,
      language,
      ollamaPath,
      ollamaHost,
      a1111Dir,
      a1111Port,
    });
  });

  it('reads a valid file, BOM and unknown keys included', async () => {
    const text = '\uFEFF' + JSON.stringify({ difyDir: 'C:\\dify\\docker', language: 'ja', future: [1] });
    expect(await peek(text)).toMatchObject({ difyDir: 'C:\\dify\\docker', language: 'ja', a1111Port: 7860 });
  });

  it.each([
    ['not JSON', '{"language": '],
    ['not an object', '[]'],
    ['a wrong language', '{"language":"fr"}'],
    ['a null folder', '{"difyDir":null}'],
    ['a URL without http(s)://', '{"difyUrl":"localhost"}'],
    ['a URL of another scheme', '{"difyUrl":"file:///etc"}'],
    ['an empty plugin folder', '{"pluginDirs":[""]}'],
    ['a too long e-mail', JSON.stringify({ difyEmail: 'a'.repeat(321) })],
  ])('leaves %s to the settings store (null)', async (_what, text) => {
    expect(await peek(text)).toBeNull();
  });

  it('never accepts a file the schema rejects, and reads what the schema reads', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('', 'a'.repeat(4097), 'a'.repeat(321)),
    );
    const url = fc.oneof(
      fc.webUrl(),
      fc.constantFrom(
        'http://localhost',
        ' https://x ',
        'http:x',
        'HTTP://A',
        'http://',
        'http://a b',
        'ftp://x',
      ),
      text,
    );
    const value = (v: fc.Arbitrary<unknown>) => fc.oneof(v, fc.constantFrom(null, 1, true, [], {}));
    const settings = fc.record(
      {
        difyDir: value(text),
        difyUrl: value(url),
        language: value(fc.constantFrom('system', 'ja', 'en', 'JA', '')),
        pluginDirs: value(fc.array(text, { maxLength: 3 })),
        difyEmail: value(text),
        ollamaHost: value(text),
        ollamaEnv: value(fc.dictionary(fc.constantFrom('OLLAMA_MODELS', 'bad name', '1X', 'K'), text)),
        a1111Port: value(fc.constantFrom(0, 1, 7860, 65535, 65536, 1.5, -1)),
        a1111Listen: value(fc.boolean()),
        stackComponents: value(
          fc.array(fc.constantFrom('docker', 'dify', 'ollama', 'a1111', 'x'), { maxLength: 5 }),
        ),
        ollamaUrlFromDify: value(fc.oneof(url, fc.constant(''))),
        logBufferLines: value(fc.constantFrom(999, 1_000, 100_000, 1_000_000, 1_000_001, 5_000.5)),
        setupDone: value(fc.boolean()),
        notifyJobs: value(fc.boolean()),
        version: value(fc.constantFrom(0, 1, 2, -1, 1.5, '1')),
        other: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(settings, (s) => {
        const peeked = peekSettingsText(JSON.stringify(s));
        if (peeked === null) return;
        // What the store makes of the same text (migration included): used as it is, nothing refused.
        const read = readSettingsText(JSON.stringify(s));
        expect(read.kind === 'ok' && read.refused === null).toBe(true);
        const parsed = read.kind === 'ok' ? read.settings : null;
        expect(peeked).toEqual({
          difyDir: parsed?.difyDir,
          language: parsed?.language,
          ollamaPath: parsed?.ollamaPath,
          ollamaHost: parsed?.ollamaHost,
          a1111Dir: parsed?.a1111Dir,
          a1111Port: parsed?.a1111Port,
        });
      }),
      { numRuns: 300 },
    );
    // Generous: generated runs on a loaded shared machine.
  }, 30_000);
});
