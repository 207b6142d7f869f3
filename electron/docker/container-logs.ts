import type Docker from 'dockerode';
import { streamContainerLogs } from './container-log-stream';
import { LogDemuxer } from './log-demux';

/**
 * A whole log body (a `logs` call without follow) as text in the order printed, "\r\n" read as "\n";
 * `tty`: the container has a TTY, so the body is raw text, not frames (log-demux.ts).
 */
export function demuxLogBuffer(buf: Buffer, tty: boolean): string {
  const demux = new LogDemuxer({ tty, timestamps: false });
  const finished = demux.push(buf).map((line) => `${line.text}\n`);
  // What end() hands over are lines the body did not finish: no "\n" after the last.
  const unfinished = demux.end().map((line) => line.text);
  return finished.join('') + unfinished.join('\n');
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
  const texts: string[] = [];
  const end = await streamContainerLogs(docker, containerId, { follow: false, tail: lines }, (batch) => {
    for (const line of batch) texts.push(line.text);
  });
  return end.reason === 'eof' ? texts.join('\n').trimEnd() : '';
}
