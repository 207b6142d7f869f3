import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync, symlinkSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDirSync, removeTempDirSync } from './temp-dir';

/** The one image every test service runs: Debian's busybox-static imported with `docker import`. */
export const TEST_IMAGE = 'dify-stack-test/busybox:1';
const BUSYBOX = '/bin/busybox';
const APPLETS = [
  'sh',
  'sleep',
  'echo',
  'test',
  'true',
  'false',
  'touch',
  'cat',
  'env',
  'printenv',
  'ls',
  'wget',
  'nc',
  'httpd',
  'kill',
  'id',
];

/**
 * Imports the image into the engine at `dockerHost` (e.g. `unix:///tmp/x/docker.sock` for a private
 * daemon; default: the engine the docker CLI talks to) unless it is there already.
 */
export function ensureTestImage(dockerHost?: string): void {
  const host = dockerHost ? ['--host', dockerHost] : [];
  const found = spawnSync('docker', [...host, 'image', 'inspect', TEST_IMAGE], { stdio: 'ignore' });
  if (found.status === 0) return;
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static`);
  const root = createTempDirSync('dst-image-');
  try {
    for (const d of ['bin', 'tmp', 'etc']) mkdirSync(join(root, d));
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    execFileSync('docker', [...host, 'import', '--change', 'ENV PATH=/bin', '-', TEST_IMAGE], {
      input: tar.stdout,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } finally {
    removeTempDirSync(root);
  }
}
