import type Docker from 'dockerode';

/**
 * Docker's log stream for a non-TTY container is multiplexed: each frame has an 8-byte header
 * (stream type, 3 zero bytes, big-endian payload length). This splits a whole buffer (a `logs`
 * call without follow) into text; TTY containers' logs are raw text.
 */
export function demuxLogBuffer(buf: Buffer, tty: boolean): string {
  if (tty) return buf.toString('utf8');
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const type = buf[offset];
    const size = buf.readUInt32BE(offset + 4);
    if (
      type === undefined ||
      type > 2 ||
      buf[offset + 1] !== 0 ||
      buf[offset + 2] !== 0 ||
      buf[offset + 3] !== 0
    ) {
      // Not a frame header: the engine sent raw text after all.
      return buf.toString('utf8');
    }
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/**
 * The last `lines` lines a container printed (stdout and stderr), for a failure's detail; '' when
 * the container is gone or the engine does not answer — the failure itself matters more.
 */
export async function readLogTail(
  docker: Pick<Docker, 'getContainer'>,
  containerId: string,
  lines: number,
): Promise<string> {
  if (!containerId) return '';
  try {
    const container = docker.getContainer(containerId);
    const info = await container.inspect();
    // Without `follow`, dockerode resolves with the whole body as one Buffer (its types say stream).
    const buf = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines,
      follow: false,
    })) as unknown as Buffer;
    return demuxLogBuffer(
      Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)),
      Boolean(info.Config?.Tty),
    ).trimEnd();
  } catch {
    return '';
  }
}
