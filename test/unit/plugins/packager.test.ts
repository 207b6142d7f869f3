import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../electron/core/errors';
import { DifyConsoleClient } from '../../../electron/plugins/console-client';
import {
  buildPackage,
  DEFAULT_MAX_UNCOMPRESSED_BYTES,
  listPackageFiles,
  packagePluginFolder,
} from '../../../electron/plugins/packager';
import { readPackageIdentity } from '../../../electron/plugins/package-reader';
import { startDifyConsoleDouble } from '../../doubles/dify-console';
import { copyFixture, editManifest, makeZip, removeTempDirs, tempDir, write } from './helpers';

afterAll(removeTempDirs);

const rels = async (dir: string): Promise<string[]> => (await listPackageFiles(dir)).files.map((f) => f.rel);

/** Entry names, attributes and contents of a zip, in order. */
async function readZip(
  file: string,
): Promise<{ name: string; mode: number; data: Buffer; method: number; time: number; date: number }[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err || !z ? reject(err) : resolve(z))),
  );
  const out: { name: string; mode: number; data: Buffer; method: number; time: number; date: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          out.push({
            name: entry.fileName,
            mode: (entry.externalFileAttributes >>> 16) & 0o177777,
            data: Buffer.concat(chunks),
            method: entry.compressionMethod,
            time: entry.lastModFileTime,
            date: entry.lastModFileDate,
          });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return out;
}

describe('listPackageFiles: ignore rules', () => {
  it('without ignore files takes everything except .venv, __pycache__, .git and .env (at any depth)', async () => {
    const dir = await copyFixture();
    await write(dir, '.venv/lib/site.py', 'x');
    await write(dir, 'tools/__pycache__/txt2img.cpython-312.pyc', 'x');
    await write(dir, '.git/HEAD', 'ref: refs/heads/main');
    await write(dir, '.env', 'REMOTE_INSTALL_KEY=secret');
    await write(dir, 'tools/.env', 'X=1');
    await write(dir, '.env.example', 'INSTALL_METHOD=remote');
    await write(dir, 'notes.log', 'x');
    const files = await rels(dir);
    expect(files).toContain('.env.example');
    expect(files).toContain('notes.log');
    expect(files.filter((f) => /(^|\/)(\.venv|__pycache__|\.git|\.env)(\/|$)/.test(f))).toEqual([]);
    expect((await listPackageFiles(dir)).ignoreFile).toBeNull();
  });

  it('uses .gitignore when there is no .difyignore (and packs the .gitignore itself, as the dify CLI does)', async () => {
    const dir = await copyFixture();
    await write(dir, '.gitignore', '*.log\nbuild/\n/README.md\n');
    await write(dir, 'notes.log', 'x');
    await write(dir, 'tools/debug.log', 'x');
    await write(dir, 'build/out.txt', 'x');
    await write(dir, 'tools/README.md', 'nested readme stays: the pattern is anchored');
    const list = await listPackageFiles(dir);
    expect(list.ignoreFile).toBe('.gitignore');
    const files = list.files.map((f) => f.rel);
    expect(files).toContain('.gitignore');
    expect(files).toContain('tools/README.md');
    expect(files).not.toContain('README.md');
    expect(files.some((f) => f.endsWith('.log') || f.startsWith('build/'))).toBe(false);
  });

  it('prefers .difyignore over .gitignore', async () => {
    const dir = await copyFixture();
    await write(dir, '.gitignore', '*.md\n');
    await write(dir, '.difyignore', '*.log\n');
    await write(dir, 'notes.log', 'x');
    const list = await listPackageFiles(dir);
    expect(list.ignoreFile).toBe('.difyignore');
    expect(list.files.map((f) => f.rel)).toContain('README.md');
    expect(list.files.map((f) => f.rel)).not.toContain('notes.log');
  });

  it('follows gitignore semantics: negation, directory patterns, CRLF line ends', async () => {
    const dir = await copyFixture();
    await write(dir, '.difyignore', '*.log\r\n!keep.log\r\ncache/\r\n# comment\r\n');
    await write(dir, 'a.log', 'x');
    await write(dir, 'keep.log', 'x');
    await write(dir, 'cache/x.bin', 'x');
    await write(dir, 'tools/cache/y.bin', 'x');
    const files = await rels(dir);
    expect(files).toContain('keep.log');
    expect(files).not.toContain('a.log');
    expect(files.some((f) => f.includes('cache/'))).toBe(false);
  });

  it('reads only the root ignore file, like `dify plugin package` (nested .gitignore files are not rules)', async () => {
    const dir = await copyFixture();
    await write(dir, 'tools/.gitignore', 'txt2img.py\n');
    const files = await rels(dir);
    expect(files).toContain('tools/txt2img.py');
    expect(files).toContain('tools/.gitignore');
  });

  it('never packs the built-in exclusions, even when the ignore file re-includes them', async () => {
    const dir = await copyFixture();
    await write(dir, '.difyignore', '!.venv\n!.env\n');
    await write(dir, '.venv/pyvenv.cfg', 'x');
    await write(dir, '.env', 'REMOTE_INSTALL_KEY=secret');
    const files = await rels(dir);
    expect(files).not.toContain('.venv/pyvenv.cfg');
    expect(files).not.toContain('.env');
  });

  it('lists sorted forward-slash paths and skips symlinked directories', async () => {
    const dir = await copyFixture();
    await write(dir, 'z/deep/er/file.txt', 'x');
    await fs.symlink(path.join(dir, 'tools'), path.join(dir, 'linked-tools'), 'dir');
    await fs.symlink(path.join(dir, 'README.md'), path.join(dir, 'LINKED.md'), 'file');
    const list = await listPackageFiles(dir);
    const files = list.files.map((f) => f.rel);
    expect(files).toEqual([...files].sort());
    expect(files.every((f) => !f.includes('\\'))).toBe(true);
    expect(files).toContain('z/deep/er/file.txt');
    expect(files).toContain('LINKED.md');
    expect(list.skipped).toEqual([{ rel: 'linked-tools', reason: 'symlink-to-directory' }]);
  });

  it.skipIf(process.platform === 'win32')(
    'never packs a link whose real path is outside the folder: it is listed as skipped (issue 9)',
    async () => {
      const dir = await copyFixture();
      const outside = await tempDir();
      await write(outside, 'id_rsa', 'PRIVATE KEY');
      await fs.symlink(path.join(outside, 'id_rsa'), path.join(dir, 'host-key'));
      await write(dir, 'tools/.keep', '');
      await write(path.dirname(dir), 'secret.txt', 'next to the plugin folder, not in it');
      await fs.symlink('../../secret.txt', path.join(dir, 'tools', 'up.txt'));
      await fs.symlink(path.join(outside), path.join(dir, 'host-folder'));
      // A link that stays inside (relative, through a linked path) is packed as before.
      await fs.symlink('../README.md', path.join(dir, 'tools', 'readme-link.md'));
      const list = await listPackageFiles(dir);
      const files = list.files.map((f) => f.rel);
      expect(files).not.toContain('host-key');
      expect(files).not.toContain('tools/up.txt');
      expect(files).toContain('tools/readme-link.md');
      expect(list.skipped).toEqual([
        { rel: 'host-folder', reason: 'symlink-outside-folder' },
        { rel: 'host-key', reason: 'symlink-outside-folder' },
        { rel: 'tools/up.txt', reason: 'symlink-outside-folder' },
      ]);
    },
  );

  it('fails clearly for a folder that does not exist', async () => {
    const dir = path.join(await tempDir(), 'nope');
    await expect(listPackageFiles(dir)).rejects.toMatchObject({ code: 'PLUGIN_DIR_NOT_FOUND' });
  });
});

describe('buildPackage', () => {
  it('writes a zip whose entries and contents are exactly the listed files', async () => {
    const dir = await copyFixture();
    const binary = Buffer.from(Array.from({ length: 3 * 1024 * 1024 }, (_, i) => (i * 7919) % 251));
    await write(dir, '_assets/big.bin', binary);
    await write(dir, 'i18n/日本語.yaml', 'label: テスト\n');
    const list = await listPackageFiles(dir);
    const out = path.join(await tempDir(), 'out.difypkg');
    const result = await buildPackage(list, { outFile: out });
    const entries = await readZip(out);
    expect(entries.map((e) => e.name)).toEqual(list.files.map((f) => f.rel));
    for (const e of entries)
      expect(e.data.equals(await fs.readFile(path.join(dir, e.name))), e.name).toBe(true);
    expect(entries.every((e) => e.mode === 0o100644)).toBe(true);
    const bytes = await fs.readFile(out);
    expect(result).toMatchObject({
      path: out,
      bytes: bytes.length,
      files: list.files.length,
      uncompressedSize: list.uncompressedSize,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    if (existsSync('/usr/bin/unzip')) execFileSync('/usr/bin/unzip', ['-tq', out]);
  });

  it('deflates what deflate makes smaller and stores the rest (as zip does), with the fixed 1980 time', async () => {
    const dir = await copyFixture();
    await write(dir, 'data/random.bin', randomBytes(200_000));
    await write(dir, 'data/empty.txt', '');
    await write(dir, 'data/text.txt', 'the same line again\n'.repeat(5000));
    await write(dir, 'data/big-random.bin', randomBytes(1_500_000));
    const out = path.join(await tempDir(), 'out.difypkg');
    await buildPackage(await listPackageFiles(dir), { outFile: out });
    const byName = new Map((await readZip(out)).map((e) => [e.name, e]));
    expect(byName.get('data/random.bin')?.method).toBe(0);
    expect(byName.get('data/empty.txt')?.method).toBe(0);
    expect(byName.get('data/text.txt')?.method).toBe(8);
    // Streamed (over 1 MB): deflated whatever it holds, its sizes in a data descriptor.
    expect(byName.get('data/big-random.bin')?.method).toBe(8);
    expect(byName.get('data/big-random.bin')?.data.length).toBe(1_500_000);
    expect([...byName.values()].every((e) => e.time === 0 && e.date === 0x21)).toBe(true);
    if (existsSync('/usr/bin/unzip')) execFileSync('/usr/bin/unzip', ['-tq', out]);
  });

  it('fails as "a file changed" when a file’s size is not what was listed, and leaves no file', async () => {
    const dir = await copyFixture();
    await write(dir, 'data/big.bin', Buffer.alloc(1_200_000, 1));
    const list = await listPackageFiles(dir);
    const outDir = await tempDir();
    for (const rel of ['main.py', 'data/big.bin']) {
      const file = list.files.find((f) => f.rel === rel);
      await write(dir, rel, Buffer.alloc((file?.size ?? 0) + 10, 2));
      await expect(buildPackage(list, { outFile: path.join(outDir, 'x.difypkg') })).rejects.toMatchObject({
        code: 'PLUGIN_PACKAGE_FAILED',
        params: { reason: 'a file changed while it was being packaged' },
      });
      expect(await fs.readdir(outDir)).toEqual([]);
      list.files = (await listPackageFiles(dir)).files;
    }
  });

  it('is deterministic: same content gives the same bytes whatever the mtimes and modes on disk', async () => {
    const dir = await copyFixture();
    const outDir = await tempDir();
    const a = await buildPackage(await listPackageFiles(dir), { outFile: path.join(outDir, 'a.difypkg') });
    for (const f of (await listPackageFiles(dir)).files) {
      await fs.utimes(f.abs, new Date('2031-02-03T04:05:06Z'), new Date('2031-02-03T04:05:06Z'));
    }
    await fs.chmod(path.join(dir, 'main.py'), 0o755);
    const b = await buildPackage(await listPackageFiles(dir), { outFile: path.join(outDir, 'b.difypkg') });
    expect(b.sha256).toBe(a.sha256);
    expect((await fs.readFile(b.path)).equals(await fs.readFile(a.path))).toBe(true);
    // And a content change does change the package.
    await write(dir, 'main.py', '# changed\n');
    const c = await buildPackage(await listPackageFiles(dir), { outFile: path.join(outDir, 'c.difypkg') });
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('stays correct and deterministic past the in-memory window (many small files, some big ones)', async () => {
    const dir = await copyFixture();
    // ~10 MB of small files (more than the 4 MB read-ahead window) with two streamed big files between them.
    for (let i = 0; i < 40; i++) {
      await write(dir, `data/part_${String(i).padStart(2, '0')}.bin`, Buffer.alloc(250_000, i));
    }
    await write(dir, 'data/part_05_big.bin', Buffer.alloc(1_500_000, 7));
    await write(dir, 'data/part_30_big.bin', Buffer.alloc(2_000_000, 9));
    const list = await listPackageFiles(dir);
    const outDir = await tempDir();
    const a = await buildPackage(list, { outFile: path.join(outDir, 'a.difypkg') });
    const b = await buildPackage(list, { outFile: path.join(outDir, 'b.difypkg') });
    expect(b.sha256).toBe(a.sha256);
    const entries = await readZip(a.path);
    expect(entries.map((e) => e.name)).toEqual(list.files.map((f) => f.rel));
    for (const e of entries)
      expect(e.data.equals(await fs.readFile(path.join(dir, e.name))), e.name).toBe(true);
    if (existsSync('/usr/bin/unzip')) execFileSync('/usr/bin/unzip', ['-tq', a.path]);
  });

  it('refuses an oversize package, naming the biggest files, and writes nothing', async () => {
    const dir = await copyFixture();
    await write(dir, 'weights/model.bin', Buffer.alloc(300_000, 1));
    await write(dir, 'weights/small.bin', Buffer.alloc(100_000, 2));
    const list = await listPackageFiles(dir);
    const out = path.join(await tempDir(), 'big.difypkg');
    const err = await buildPackage(list, { outFile: out, maxUncompressedBytes: 350_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('PLUGIN_PACKAGE_TOO_LARGE');
    expect(String(e.params?.biggest)).toMatch(/^weights\/model\.bin \(0\.3 MB\), weights\/small\.bin/);
    expect(e.message).toContain('weights/model.bin');
    expect(e.params?.limit).toBe(350_000);
    expect(existsSync(out)).toBe(false);
    expect(await fs.readdir(path.dirname(out))).toEqual([]);
    // At the limit exactly it is fine (Dify refuses only above it).
    await expect(
      buildPackage(list, { outFile: out, maxUncompressedBytes: list.uncompressedSize }),
    ).resolves.toMatchObject({ path: out });
    expect(DEFAULT_MAX_UNCOMPRESSED_BYTES).toBe(52_428_800);
  });

  it('stops on cancel and leaves no partial file', async () => {
    const dir = await copyFixture();
    await write(dir, 'weights/model.bin', Buffer.alloc(5_000_000, 3));
    const outDir = await tempDir();
    const controller = new AbortController();
    const running = buildPackage(await listPackageFiles(dir), {
      outFile: path.join(outDir, 'x.difypkg'),
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await fs.readdir(outDir)).toEqual([]);
  });
});

describe('packagePluginFolder', () => {
  it('validates first: a broken manifest stops before anything is written', async () => {
    const dir = await copyFixture();
    await editManifest(dir, (t) => t.replace('author: local_dev', 'author: Bad Author'));
    const out = path.join(await tempDir(), 'x.difypkg');
    const err = (await packagePluginFolder(dir, { outFile: out }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(err.params?.count).toBe(1);
    expect(err.detail).toMatch(/^manifest\.yaml:3:\d+: manifest\.yaml: author "Bad Author" is not allowed/);
    expect(existsSync(out)).toBe(false);
  });

  it('reports a folder without a manifest as its own error', async () => {
    const dir = await tempDir();
    await expect(packagePluginFolder(dir)).rejects.toMatchObject({ code: 'PLUGIN_MANIFEST_MISSING' });
  });

  it('catches a referenced file that .difyignore would leave out', async () => {
    const dir = await copyFixture();
    await write(dir, '.difyignore', 'tools/*.py\n');
    const err = (await packagePluginFolder(dir, { outFile: path.join(await tempDir(), 'x.difypkg') }).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(err.code).toBe('PLUGIN_MANIFEST_INVALID');
    expect(err.detail).toContain('tools/txt2img.py');
  });

  it('writes <name>-<version>.difypkg next to the folder by default and never packs its own output', async () => {
    const dir = await copyFixture();
    const result = await packagePluginFolder(dir);
    expect(result.path).toBe(path.join(path.dirname(dir), 'sd_tool-0.1.0.difypkg'));
    expect(result.manifest.pluginId).toBe('local_dev/sd_tool');
    const inside = path.join(dir, 'dist', 'pkg.difypkg');
    await packagePluginFolder(dir, { outFile: inside });
    const again = await packagePluginFolder(dir, { outFile: inside });
    expect((await readZip(again.path)).map((e) => e.name)).not.toContain('dist/pkg.difypkg');
  });

  it('produces a package the Dify double accepts, with the identifier the daemon would compute', async () => {
    const dir = await copyFixture();
    const pkg = await packagePluginFolder(dir, { outFile: path.join(await tempDir(), 'sd.difypkg') });
    const dify = await startDifyConsoleDouble();
    try {
      const client = new DifyConsoleClient({
        baseUrl: dify.url,
        email: dify.options.email,
        password: () => dify.options.password,
      });
      const up = await client.uploadPkg(pkg.path);
      expect(up.unique_identifier).toMatch(/^local_dev\/sd_tool:0\.1\.0@[0-9a-f]{64}$/);
      // The daemon's checksum covers paths and contents, not zip metadata: recompute it from the folder.
      const sha = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();
      const all = createHash('sha256');
      for (const f of (await listPackageFiles(dir)).files) {
        all.update(sha(f.rel));
        all.update(sha(await fs.readFile(f.abs)));
      }
      expect(up.unique_identifier.split('@')[1]).toBe(all.digest('hex'));
    } finally {
      await dify.close();
    }
  });
});

describe('readPackageIdentity', () => {
  it('reads a manifest the way the daemon does: under-indented quoted text and duplicates it never reads', async () => {
    const zip = path.join(await tempDir(), 'p.difypkg');
    await makeZip(zip, {
      'manifest.yaml': [
        'version: 0.0.2',
        'author: langgenius',
        'name: demo',
        'description:',
        '  en_US: "a long text',
        '  that goes on"',
        'extra:',
        '  note: a',
        '  note: b',
      ].join('\n'),
    });
    await expect(readPackageIdentity(zip)).resolves.toEqual({
      author: 'langgenius',
      name: 'demo',
      version: '0.0.2',
      pluginId: 'langgenius/demo',
    });
  });

  it('refuses a manifest whose identity the daemon cannot read, saying why', async () => {
    const zip = path.join(await tempDir(), 'p.difypkg');
    await makeZip(zip, { 'manifest.yaml': 'version: 0.0.2\nauthor: a\nauthor: b\nname: demo\n' });
    await expect(readPackageIdentity(zip)).rejects.toMatchObject({
      code: 'PLUGIN_NOT_A_PACKAGE',
      message: expect.stringContaining('YAML_DUPLICATE_KEY'),
    });
  });
});
