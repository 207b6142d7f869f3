/**
 * A pure-Python wheel built by hand, for tests that need `pip install` to work with no package index:
 * a wheel is a zip of the module and a `.dist-info` folder (METADATA, WHEEL, RECORD), PEP 427.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import yazl from 'yazl';

export interface WheelSpec {
  /** The distribution name as requirements.txt writes it, e.g. "debug-echo-helper". */
  name: string;
  version: string;
  /** The module's `__init__.py`. */
  source?: string;
}

/** Writes `<dist>-<version>-py3-none-any.whl` into `dir`; resolves with its path. */
export async function buildWheel(dir: string, spec: WheelSpec): Promise<string> {
  const dist = spec.name.replace(/[-.]+/g, '_');
  const info = `${dist}-${spec.version}.dist-info`;
  const files: Array<[string, string]> = [
    [`${dist}/__init__.py`, spec.source ?? `VERSION = ${JSON.stringify(spec.version)}\n`],
    [`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\n`],
    [
      `${info}/WHEEL`,
      'Wheel-Version: 1.0\nGenerator: dify-stack-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    ],
  ];
  const record = files.map(([name, text]) => {
    const digest = createHash('sha256').update(text).digest('base64url');
    return `${name},sha256=${digest},${Buffer.byteLength(text)}`;
  });
  files.push([`${info}/RECORD`, [...record, `${info}/RECORD,,`].join('\n') + '\n']);

  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${dist}-${spec.version}-py3-none-any.whl`);
  const zip = new yazl.ZipFile();
  for (const [name, text] of files) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.outputStream.pipe(out);
  });
  return file;
}
