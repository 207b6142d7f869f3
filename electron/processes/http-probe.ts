/**
 * One GET to a local server, for "what answers on this port?": status and a short body, or why nothing
 * answered. Redirects are not followed (a local port that redirects elsewhere is not the server we
 * look for), and the body is cut short: a wrong program on the port may send anything.
 */
import { localRequest } from './local-http';

export type ProbeResult = { status: number; body: string } | { error: string };

const MAX_BODY = 64 * 1024;

export async function httpProbe(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  try {
    const res = await localRequest(url, { timeoutMs });
    const body = res.text.slice(0, MAX_BODY);
    return { status: res.status, body };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (e instanceof Error ? e.name : String(e)) };
  }
}

/** Something listens but it is not what we asked about (the caller decides from status and body). */
export const answered = (r: ProbeResult): r is { status: number; body: string } => 'status' in r;
