import { Writable, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';

export interface ExecResult {
  /** null when the exec was abandoned (timeout) or the engine never reported an exit. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  /** The whole exec (create, start, output, exit code); then it is abandoned. Default 30 s. */
  timeoutMs?: number;
  /** Per stream; the rest is dropped. Default 1 MiB. */
  maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;
// After the stream ends the engine may report the exec as still running for a moment: ask again briefly.
const EXIT_POLLS = 10;
const EXIT_POLL_MS = 50;

/**
 * Runs `cmd` inside a running container through the engine API (`docker exec` without a TTY), the
 * way `docker exec` does: the hijacked stream is multiplexed (8-byte frame headers), so stdout and
 * stderr are split with `docker.modem.demuxStream`, each through its own UTF-8 decoder (a character
 * may straddle two frames). A missing executable is not an error here: the engine answers with exit
 * code 126/127 and its "executable file not found" text on stdout (seen with dockerd 20.10).
 * On timeout the stream is destroyed and the result says `timedOut`; the process inside may run on
 * (the engine API cannot kill an exec).
 */
export async function execInContainer(
  docker: Docker,
  containerId: string,
  cmd: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const out = new CappedText(opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const err = new CappedText(opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const active: { stream?: Duplex; abandoned?: boolean } = {};
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });

  const run = async (): Promise<number | null> => {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: cmd,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const s = await exec.start({ hijack: true, stdin: false });
    active.stream = s;
    // The deadline passed while the engine was still answering `start`: nobody reads this stream.
    if (active.abandoned) s.destroy();
    const ended = new Promise<void>((resolve, reject) => {
      s.once('end', resolve);
      s.once('close', resolve);
      s.once('error', reject);
    });
    docker.modem.demuxStream(s, out.sink(), err.sink());
    await ended;
    for (let i = 0; ; i++) {
      const info = await exec.inspect();
      if (!info.Running || i >= EXIT_POLLS) return info.ExitCode ?? null;
      await new Promise((r) => setTimeout(r, EXIT_POLL_MS));
    }
  };

  const running = run();
  try {
    const first = await Promise.race([running, deadline]);
    if (first === 'timeout') {
      // The abandoned run may still reject (stream destroyed): that is expected, not unhandled.
      running.catch(() => undefined);
      active.abandoned = true;
      active.stream?.destroy();
      return { exitCode: null, stdout: out.text(), stderr: err.text(), timedOut: true };
    }
    return { exitCode: first, stdout: out.text(), stderr: err.text(), timedOut: false };
  } finally {
    clearTimeout(timer);
  }
}

/** One stream's text: decoded as UTF-8 across chunk borders, at most `max` bytes kept. */
class CappedText {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parts: string[] = [];
  private bytes = 0;

  constructor(private readonly max: number) {}

  sink(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const room = this.max - this.bytes;
        if (room > 0) {
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          this.bytes += kept.length;
          this.parts.push(this.decoder.write(kept));
        }
        done();
      },
    });
  }

  text(): string {
    return this.parts.join('') + this.decoder.end();
  }
}
