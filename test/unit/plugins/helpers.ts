import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ZipFile } from 'yazl';
import { TempDirs } from '../../helpers/temp-dir';

export const FIXTURE = path.resolve(__dirname, '../../fixtures/plugins/sd-tool');

const dirs = new TempDirs('plugins-test-');

/** A fresh temp dir; every one made by a test file is removed by `removeTempDirs()` (its afterAll). */
export const tempDir = (prefix?: string): Promise<string> => dirs.make(prefix);
export const removeTempDirs = (): Promise<void> => dirs.removeAll();

/** A copy of the fixture plugin in a temp dir (tests change it freely). */
export async function copyFixture(): Promise<string> {
  const dir = path.join(await tempDir(), 'sd-tool');
  await fs.cp(FIXTURE, dir, { recursive: true });
  return dir;
}

export async function write(dir: string, rel: string, content: string | Buffer): Promise<void> {
  const file = path.join(dir, ...rel.split('/'));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
}

export async function editManifest(dir: string, edit: (text: string) => string): Promise<void> {
  const file = path.join(dir, 'manifest.yaml');
  await fs.writeFile(file, edit(await fs.readFile(file, 'utf8')));
}

/** A zip of arbitrary entries (e.g. "a zip that is not a plugin"). */
export async function makeZip(file: string, entries: Record<string, string>): Promise<void> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  await fs.writeFile(file, Buffer.concat(chunks));
}
