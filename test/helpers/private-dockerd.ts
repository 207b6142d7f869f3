/**
 * A second Docker engine of a test's own, for what must not happen to the shared one: restarting
 * `dockerd` under a log stream. Its socket, data, state and pid file live in a temp folder; its
 * default network is a bridge of its own (no iptables), and its containers run with network "none".
 * Linux, as root (the test machines' setup).
 *
 * Why not `--bridge none`: a daemon started so DELETES the host's `docker0` (moby removes the default
 * bridge interface when the bridge is disabled), which takes the shared engine's 172.17.0.1 — the
 * host-gateway address other tests listen on — away until that engine restarts. So each private
 * daemon gets its own bridge, created here and deleted by dispose().
 *
 * dispose() leaves nothing behind: containers removed, the daemon stopped, its bridge deleted, its containerd and shims
 * (started by the daemon, found by the temp folder in their command line) gone, and what the daemon
 * mounted under the folder unmounted — `rm -rf` fails with "Device or resource busy" otherwise.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { createTempDir, removeTempDir } from './temp-dir';
import { ensureTestImage } from './test-image';

const execFileP = promisify(execFile);
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Whether a network interface of this name exists (sysfs lists every one). */
function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    // mountinfo escapes spaces and the like as octal (\040).
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Live processes whose command line names `dir` (the daemon's containerd and shims). */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

export class PrivateDockerd {
  private child: ChildProcess | null = null;
  /** The daemon's own default bridge (interface names are at most 15 characters). */
  private readonly bridge = `dstpd${randomBytes(4).toString('hex')}`;
  private bridgeCreated = false;

  private constructor(readonly dir: string) {}

  /** `unix://…/docker.sock`, for the docker CLI's `--host`. */
  get host(): string {
    return `unix://${this.socket}`;
  }

  get socket(): string {
    return join(this.dir, 'docker.sock');
  }

  /** A client of this engine. */
  docker(): Docker {
    return new Docker({ socketPath: this.socket });
  }

  /** Starts a daemon in a fresh temp folder and imports the test image into it. */
  static async start(): Promise<PrivateDockerd> {
    const daemon = new PrivateDockerd(await createTempDir('dst-dockerd-'));
    const hostBridge = linkExists('docker0');
    try {
      await daemon.createBridge();
      await daemon.launch();
      // The shared engine's bridge must outlive us (see the header): fail loudly if it did not.
      if (hostBridge && !linkExists('docker0'))
        throw new Error("starting a private dockerd removed the host's docker0");
      ensureTestImage(daemon.host);
      return daemon;
    } catch (e) {
      await daemon.dispose();
      throw e;
    }
  }

  /**
   * Stops the daemon and starts it again on the same folders: SIGTERM (as systemd or Docker Desktop
   * restart it: containers are stopped first), or SIGKILL (a crash: connections drop mid-stream; its
   * containerd and containers go down with it, as when Docker Desktop's VM goes — a containerd left
   * running keeps the new daemon from starting).
   */
  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    if (signal === 'SIGKILL') {
      await this.killLeftovers();
      // The dead containerd's pid file: a new daemon that finds its pid alive (reused meanwhile) waits
      // for that "containerd" instead of starting one ("libcontainerd: containerd is still running").
      await rm(join(this.dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
    }
    await this.launch();
  }

  /** Removes its containers, stops it and everything it started, and removes the folder. */
  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const docker = this.docker();
      const containers = await docker.listContainers({ all: true }).catch(() => []);
      await Promise.all(
        containers.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
    await this.stop();
    await this.killLeftovers();
    for (const point of mountsUnder(this.dir)) {
      await execFileP('umount', ['-l', point]).catch(() => undefined);
    }
    if (this.bridgeCreated) {
      await execFileP('ip', ['link', 'delete', this.bridge]).catch(() => undefined);
      this.bridgeCreated = false;
    }
    await removeTempDir(this.dir);
  }

  /** A bridge for this daemon alone, on a small private subnet no compose network of the tests uses. */
  private async createBridge(): Promise<void> {
    const third = 1 + ((randomBytes(1)[0] ?? 0) % 250);
    await execFileP('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    this.bridgeCreated = true;
    await execFileP('ip', ['addr', 'add', `10.254.${third}.1/24`, 'dev', this.bridge]);
    await execFileP('ip', ['link', 'set', this.bridge, 'up']);
  }

  private async launch(): Promise<void> {
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    try {
      this.child = spawn(
        'dockerd',
        [
          '--host',
          this.host,
          '--data-root',
          join(this.dir, 'data'),
          '--exec-root',
          join(this.dir, 'exec'),
          '--pidfile',
          join(this.dir, 'docker.pid'),
          '--bridge',
          this.bridge,
          '--iptables=false',
          '--ip6tables=false',
          '--ip-masq=false',
        ],
        { stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    const child = this.child;
    // A short request timeout: a socket that accepts but does not answer yet is asked again.
    const docker = new Docker({ socketPath: this.socket, timeout: 2000 });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dockerd exited at start:\n${this.logTail()}`);
      if (
        await docker.ping().then(
          () => true,
          () => false,
        )
      )
        return;
      if (Date.now() > deadline) throw new Error(`dockerd did not answer in time:\n${this.logTail()}`);
      await sleep(100);
    }
  }

  private async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const stopped = await Promise.race([
      exited(child).then(() => true),
      sleep(STOP_TIMEOUT_MS).then(() => false),
    ]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }

  /** Kills what the daemon started that outlived it (containerd, shims) and waits until they are gone. */
  private async killLeftovers(): Promise<void> {
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    for (let pids = processesUsing(this.dir); pids.length > 0; pids = processesUsing(this.dir)) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      if (Date.now() > deadline) return;
      await sleep(50);
    }
  }

  private logTail(): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
