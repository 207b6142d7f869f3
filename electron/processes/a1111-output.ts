/**
 * AUTOMATIC1111's phase, read from what it prints (stable-diffusion-webui v1.10; the order a real start
 * shows):
 *
 *   Creating venv in directory … / Installing torch and torchvision / Collecting … (first run only)
 *   Launching Web UI with arguments: --api --port 7860
 *   Loading weights [6ce0161689] from …      ← the model loads on a background thread from here
 *   Creating model from config: …
 *   Running on local URL:  http://127.0.0.1:7860   ← Gradio serves, but /internal and /sdapi do not exist yet
 *   Startup time: 6.1s (…).                 ← the API is mounted
 *   Model loaded in 4.2s (…).               ← a checkpoint is loaded (may also come before Startup time)
 *
 * Ready means both: the API is there and a checkpoint is loaded. Pure: one line in, the new state out.
 */

export interface A1111Progress {
  phase: 'installing' | 'launching' | 'loading-model' | 'ready' | 'stopped';
  /** The last telling line: what it installs or loads, or the error it printed (null once ready). */
  line: string | null;
  checkpointLoaded: boolean;
  urlLine: string | null;
  /** `Startup time:` was printed: the UI and (with --api) the API are mounted. */
  started: boolean;
}

export const INITIAL_A1111_PROGRESS: A1111Progress = {
  phase: 'stopped',
  line: null,
  checkpointLoaded: false,
  urlLine: null,
  started: false,
};

/** First-run install: webui.bat's venv, launch_utils' run_pip/git_clone descriptions, pip's own output. */
const INSTALL = [
  /^Creating venv in directory /,
  /^Installing /,
  /^Cloning .+ into /,
  /^Fetching updates for /,
  /^Checking out commit /,
  /^Collecting /,
  /^Downloading[: ]/,
  /^Looking in indexes: /,
  /^Successfully installed /,
];
const LAUNCHING = /^Launching (Web UI|API server) with arguments:/;
const LOADING = [
  /^Loading weights \[/,
  /^Creating model from config: /,
  /^Applying attention optimization: /,
];
// `Weights loaded in` after a checkpoint switch (reload_model_weights), `Model loaded in` at start.
const LOADED = /^(Model|Weights) loaded in /;
const ERRORS = [
  /^Traceback \(most recent call last\):/,
  // The final line of a Python traceback: `OSError: Cannot find empty port in range: 7860-7860`.
  /^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)(: |$)/,
  /^Launch unsuccessful\. Exiting\./,
  /^\*\*\* Error /,
  /^No checkpoints found\./,
  /^Can't run without a checkpoint\./,
  /^Stable diffusion model failed to load/,
];

const isError = (line: string | null): boolean => line !== null && ERRORS.some((re) => re.test(line));

/**
 * An error stays the line until the next run or until it is ready: after a busy port, Python still waits
 * for the loading thread, whose lines would otherwise hide why it is about to end.
 */
const keepError = (state: A1111Progress, line: string | null): string | null =>
  isError(state.line) ? state.line : line;

/** Folds one output line into the state; lines that say nothing new return the same object. */
export function foldA1111Line(state: A1111Progress, line: string): A1111Progress {
  const text = clean(line);
  if (text === '') return state;
  // Before `Launching Web UI` the phase stays 'stopped' (nothing telling yet) unless it installs.
  const beforeLaunch = state.phase === 'stopped' || state.phase === 'installing';

  if (isError(text)) return { ...state, line: text };
  if (LAUNCHING.test(text)) {
    // A new run of launch.py (also after webui.sh/webui.bat restart it): nothing of the last one holds.
    return { phase: 'launching', line: text, checkpointLoaded: false, urlLine: null, started: false };
  }
  if (INSTALL.some((re) => re.test(text))) {
    if (beforeLaunch) return { ...state, phase: 'installing', line: keepError(state, text) };
    // The first load fetches the checkpoint itself (`Downloading: "https://huggingface.co/…"`).
    if (!state.started) return { ...state, phase: 'loading-model', line: keepError(state, text) };
    return state;
  }
  if (LOADING.some((re) => re.test(text))) {
    const switching = /^Loading weights \[/.test(text);
    return {
      ...state,
      phase: 'loading-model',
      line: keepError(state, text),
      checkpointLoaded: switching ? false : state.checkpointLoaded,
    };
  }
  if (LOADED.test(text)) {
    return state.started
      ? { ...state, phase: 'ready', line: null, checkpointLoaded: true }
      : { ...state, phase: 'launching', line: keepError(state, null), checkpointLoaded: true };
  }
  if (text.startsWith('Running on local URL:')) return { ...state, urlLine: text };
  if (text.startsWith('Startup time:')) {
    return state.checkpointLoaded
      ? { ...state, started: true, phase: 'ready', line: null }
      : { ...state, started: true, phase: 'loading-model' };
  }
  if (text === 'Restarting UI...') return { ...state, started: false, phase: 'launching' };
  if (text === 'Stopping server...') return { ...state, started: false, phase: 'stopped', line: text };
  return state;
}

/** The text a terminal would show last on that line: colours removed, a progress bar's `\r` rewrites resolved. */
function clean(line: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by definition
  const plain = line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const parts = plain.split('\r').filter((p) => p.trim() !== '');
  return (parts.at(-1) ?? '').trim();
}
