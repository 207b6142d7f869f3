/**
 * `dify-stack plugin debug DIR`: the folder's debug session in the foreground until Ctrl+C — the
 * plugin's output (and pip's) on stdout as the log holds it, the session's own notes and state changes
 * on stderr, a restart on every save. Failures a save can fix (a crash, pip) wait for the save;
 * failures it cannot (no Python, a refused key, nothing at the debug port, no login) end the command
 * with exit 1. Ctrl+C stops the plugin's whole process tree and exits 0.
 */
import path from 'node:path';
import type { PluginDebugState } from '../core/contract';
import { toErrorInfo, type ErrorInfo } from '../core/errors';
import type { Lang } from '../core/i18n';
import type { AppServices } from '../services';

/** What cli-plugin.ts's context offers (structural: no import back into it). */
export interface DebugCliContext {
  readonly lang: Lang;
  readonly io: { onInterrupt?(handler: () => void): () => void };
  t(key: string, params?: Record<string, unknown>): string;
  out(text: string): void;
  err(text: string): void;
  printError(error: ErrorInfo): void;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;

/** Errors no save can fix: the command ends instead of waiting. */
const FINAL_ERRORS = new Set([
  'PLUGIN_DEBUG_PYTHON_NOT_FOUND',
  'PLUGIN_DEBUG_PYTHON_TOO_OLD',
  'PLUGIN_DEBUG_BAD_KEY',
  'PLUGIN_DEBUG_UNREACHABLE',
  'PLUGIN_DEBUG_VENV_FAILED',
]);
const isFinal = (error: ErrorInfo): boolean => FINAL_ERRORS.has(error.code) || error.code.startsWith('DIFY_');

/** Our own notes in the log (`[dify-stack] …`) go to stderr: stdout is the plugin's. */
const NOTE = /^\[dify-stack\] (.*)$/;

export async function debugInForeground(
  cx: DebugCliContext,
  services: AppServices,
  dir: string,
): Promise<number> {
  const debug = services.plugins.debug;
  const abs = path.resolve(dir);
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let last = '';

  const onState = (state: PluginDebugState | null): void => {
    if (!state) return;
    const key = `${state.phase}:${state.restarts}:${state.error?.code ?? ''}:${state.packaged?.version ?? ''}`;
    if (key === last) return;
    last = key;
    if (state.phase === 'failed' && state.error) {
      cx.printError(state.error);
      if (isFinal(state.error)) finish(EXIT_FAILED);
      else cx.err(cx.t('plugins.debug.cli.waitingForSave'));
      return;
    }
    const line = stateLine(cx, state);
    if (line) cx.err(line);
  };

  const offOutput = debug.onOutput(abs, (line) => {
    const note = NOTE.exec(line);
    if (note) cx.err(note[1] as string);
    else cx.out(line);
  });
  const offChange = services.plugins.onChange(() => onState(debug.state(abs)));
  const offInterrupt = cx.io.onInterrupt?.(() => finish(EXIT_OK));
  try {
    cx.err(
      cx.t('plugins.debug.cli.watching', {
        dir: abs,
        url: services.plugins.connectionSettings().url,
        log: debug.logFile(abs),
      }),
    );
    onState(await debug.start(abs));
    return await finished;
  } catch (e) {
    cx.printError(toErrorInfo(e));
    return EXIT_FAILED;
  } finally {
    offInterrupt?.();
    offChange();
    await debug.stop(abs);
    offOutput();
    cx.err(cx.t('plugins.debug.cli.stopped'));
  }
}

function stateLine(cx: DebugCliContext, state: PluginDebugState): string | null {
  switch (state.phase) {
    case 'installing':
      return cx.t('plugins.debug.cli.installing');
    case 'starting':
      return state.error ? cx.t('cli.warningLine', { message: state.error.message }) : null;
    case 'connected':
      return state.packaged
        ? cx.t('plugins.debug.cli.connectedPackaged', { version: state.packaged.version })
        : cx.t('plugins.debug.cli.connected', { restarts: state.restarts });
    case 'crashed':
      return cx.t('plugins.debug.cli.crashed', { code: state.exitCode ?? '—' });
    default:
      return null;
  }
}
