/**
 * The container side of the doctor: which request tools Dify's container has (curl, wget, python3 —
 * found once per run), and the command each one runs so that an HTTP status and a network error come
 * out distinctly (read by doctor-causes.ts).
 */
import { messageOf } from '../core/errors';
import type { ExecResult } from '../docker/container-exec';
import { isMissingExecutable, readProbe, type Observation, type ProbeTool } from './doctor-causes';

/** `docker exec` as the doctor needs it (electron/docker/container-exec.ts `execInContainer`). */
export type ContainerExec = (containerId: string, cmd: string[], timeoutMs: number) => Promise<ExecResult>;

/** The tool's own limit inside the container; the exec gets a margin on top for starting the tool. */
export const PROBE_TIMEOUT_S = 5;
const EXEC_MARGIN_MS = 5000;
const DETECT_TIMEOUT_MS = 10_000;

/** Which request tools the container has, in one `sh` run; the BusyBox banner tells its wget apart. */
const DETECT_SCRIPT =
  'for t in curl wget python3; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; ' +
  'case "$(wget --help 2>&1)" in *BusyBox*) echo busybox;; esac';

// Prints the status code of any HTTP answer (redirects are answers: not followed) or `Type: message`.
const PROBE_PY = `import sys, urllib.request, urllib.error
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
try:
    r = urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=float(sys.argv[2]))
    print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print(type(e).__name__ + ': ' + str(e), file=sys.stderr)
    sys.exit(1)
`;

// BusyBox 1.35 (Debian's static build) crashes on `wget -T` (exit 139, seen here), so its deadline is
// a watchdog that kills it (exit 143). The watchdog's output goes to /dev/null: a sleep left holding
// the exec's stdout would keep the stream open until it ends.
const BUSYBOX_WGET_SH = 'wget -S -O /dev/null "$1" & p=$!; (sleep "$2"; kill $p) >/dev/null 2>&1 & wait $p';

/** The command that GETs `url` with `tool`, printing the HTTP status and network errors distinctly. */
export function probeCommand(tool: ProbeTool, url: string, seconds: number, hasShell: boolean): string[] {
  const s = String(seconds);
  switch (tool) {
    case 'curl':
      // -v: curl 7.88 reports every failed connect as "Couldn't connect to server"; only its verbose
      // line says "Connection refused" or "No route to host".
      return ['curl', '-v', '-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', s, url];
    case 'wget':
      // GNU wget retries a timeout 20 times by default.
      return ['wget', '-S', '-O', '/dev/null', '-T', s, '-t', '1', url];
    case 'busybox-wget':
      return hasShell ? ['sh', '-c', BUSYBOX_WGET_SH, 'sh', url, s] : ['wget', '-S', '-O', '/dev/null', url];
    case 'python3':
      return ['python3', '-c', PROBE_PY, url, s];
  }
}

/** What `DETECT_SCRIPT` printed → the tools to use, best first (curl and python3 say the most). */
export function toolsFromDetection(stdout: string): ProbeTool[] {
  const found = new Set(stdout.split(/\r?\n/).map((l) => l.trim()));
  const tools: ProbeTool[] = [];
  if (found.has('curl')) tools.push('curl');
  if (found.has('python3')) tools.push('python3');
  if (found.has('wget')) tools.push(found.has('busybox') ? 'busybox-wget' : 'wget');
  return tools;
}

/** Without `sh` each tool is tried directly; GNU wget's flags are what an image without a shell would have. */
const DIRECT_ORDER: ProbeTool[] = ['curl', 'python3', 'wget'];

/** Finds the container's request tools once, then runs probes with the best one. */
export class ContainerProber {
  private tools: Promise<{ tools: ProbeTool[]; hasShell: boolean } | { error: string }> | null = null;

  constructor(
    private readonly exec: ContainerExec,
    readonly container: { id: string; service: string },
  ) {}

  private detect(): Promise<{ tools: ProbeTool[]; hasShell: boolean } | { error: string }> {
    this.tools ??= this.exec(this.container.id, ['sh', '-c', DETECT_SCRIPT], DETECT_TIMEOUT_MS).then(
      (r) =>
        r.timedOut
          ? { error: `sh did not finish within ${DETECT_TIMEOUT_MS / 1000} s` }
          : isMissingExecutable(r)
            ? { tools: DIRECT_ORDER, hasShell: false }
            : { tools: toolsFromDetection(r.stdout), hasShell: true },
      (e: unknown) => ({ error: messageOf(e) }),
    );
    return this.tools;
  }

  /** The probe's result with the first tool that exists; null when the container has none. */
  async probe(
    url: string,
  ): Promise<{ tool: ProbeTool; observation: Observation; output: string } | { error: string } | null> {
    const found = await this.detect();
    if ('error' in found) return found;
    for (const tool of found.tools) {
      const cmd = probeCommand(tool, url, PROBE_TIMEOUT_S, found.hasShell);
      let result: ExecResult;
      try {
        result = await this.exec(this.container.id, cmd, PROBE_TIMEOUT_S * 1000 + EXEC_MARGIN_MS);
      } catch (e) {
        return { error: messageOf(e) };
      }
      const observation = readProbe(tool, result);
      if (observation.kind === 'toolMissing') continue;
      // The first tool that exists is the one to use for the next URL too.
      this.tools = Promise.resolve({ tools: [tool], hasShell: found.hasShell });
      return { tool, observation, output: `${result.stdout}\n${result.stderr}`.trim() };
    }
    return null;
  }
}
