import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginMemoryFile } from '../../../electron/plugins/login-memory';
import { removeTempDirs, tempDir } from './helpers';

afterAll(removeTempDirs);

describe('LoginMemoryFile', () => {
  it('keeps one form per Dify URL, across instances (the app and each CLI run)', async () => {
    const file = path.join(await tempDir(), 'app-data', 'dify-logins.json');
    const a = new LoginMemoryFile(file);
    expect(await a.recall('http://localhost/console/api')).toBeNull();
    await a.remember('http://localhost/console/api', 'base64');
    await a.remember('http://192.168.1.5/console/api', 'plain');
    const b = new LoginMemoryFile(file);
    expect(await b.recall('http://localhost/console/api')).toBe('base64');
    expect(await b.recall('http://192.168.1.5/console/api')).toBe('plain');
    await b.remember('http://localhost/console/api', 'plain');
    expect(await a.recall('http://localhost/console/api')).toBe('plain');
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual([
      'http://192.168.1.5/console/api',
      'http://localhost/console/api',
    ]);
    expect(stored['http://localhost/console/api']).toEqual({
      passwordEncoding: 'plain',
      at: expect.any(Number),
    });
  });

  it('writes of one process never lose each other', async () => {
    const memory = new LoginMemoryFile(path.join(await tempDir(), 'dify-logins.json'));
    const urls = Array.from({ length: 12 }, (_, i) => `http://dify-${i}/console/api`);
    await Promise.all(urls.map((u, i) => memory.remember(u, i % 2 ? 'plain' : 'base64')));
    expect(await Promise.all(urls.map((u) => memory.recall(u)))).toEqual(
      urls.map((_, i) => (i % 2 ? 'plain' : 'base64')),
    );
  });

  it('a damaged file is an empty memory, and the next write replaces it', async () => {
    const file = path.join(await tempDir(), 'dify-logins.json');
    await fs.writeFile(file, '{"http://x/console/api": {"passwordEncoding": "rot13"');
    const memory = new LoginMemoryFile(file);
    expect(await memory.recall('http://x/console/api')).toBeNull();
    await memory.remember('http://x/console/api', 'plain');
    expect(await memory.recall('http://x/console/api')).toBe('plain');
  });

  it('a write that fails is reported to the caller and does not block later ones', async () => {
    const dir = await tempDir();
    const blocker = path.join(dir, 'not-a-folder');
    await fs.writeFile(blocker, '');
    const memory = new LoginMemoryFile(path.join(blocker, 'dify-logins.json'));
    await expect(memory.remember('http://x/console/api', 'plain')).rejects.toThrow();
    await expect(memory.recall('http://x/console/api')).resolves.toBeNull();
  });
});
