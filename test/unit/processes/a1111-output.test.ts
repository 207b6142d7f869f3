import { describe, expect, it } from 'vitest';
import {
  INITIAL_A1111_PROGRESS,
  foldA1111Line,
  type A1111Progress,
} from '../../../electron/processes/a1111-output';

const fold = (lines: string[], from: A1111Progress = INITIAL_A1111_PROGRESS) =>
  lines.reduce(foldA1111Line, from);

/** After each line: the phase and whether a checkpoint is loaded. */
const trace = (lines: string[]) => {
  let state = INITIAL_A1111_PROGRESS;
  return lines.map((line) => {
    state = foldA1111Line(state, line);
    return `${state.phase}${state.checkpointLoaded ? '+ckpt' : ''}`;
  });
};

const URL_LINE = 'Running on local URL:  http://127.0.0.1:7860';
const STARTUP =
  'Startup time: 6.1s (prepare environment: 1.6s, import torch: 2.0s, create ui: 0.3s, gradio launch: 0.2s).';
const LOADED =
  'Model loaded in 4.2s (load weights from disk: 0.4s, create model: 0.4s, apply weights to model: 2.9s).';

describe('foldA1111Line', () => {
  it('follows a usual start: the API after `Startup time`, the checkpoint on its thread after that', () => {
    const lines = [
      'venv "C:\\sd\\venv\\Scripts\\Python.exe"',
      'Python 3.10.6 (tags/v3.10.6:9c7b4bd, Aug  1 2022, 21:53:49) [MSC v.1932 64 bit (AMD64)]',
      'Launching Web UI with arguments: --api --port 7860',
      'Loading weights [6ce0161689] from C:\\sd\\models\\Stable-diffusion\\v1-5-pruned-emaonly.safetensors',
      'Creating model from config: C:\\sd\\configs\\v1-inference.yaml',
      URL_LINE,
      '',
      'To create a public link, set `share=True` in `launch()`.',
      STARTUP,
      'Applying attention optimization: Doggettx... done.',
      LOADED,
    ];
    expect(trace(lines)).toEqual([
      'stopped',
      'stopped',
      'launching',
      'loading-model',
      'loading-model',
      'loading-model',
      'loading-model',
      'loading-model',
      'loading-model',
      'loading-model',
      'ready+ckpt',
    ]);
    expect(fold(lines)).toEqual({
      phase: 'ready',
      line: null,
      checkpointLoaded: true,
      urlLine: URL_LINE,
      started: true,
    });
  });

  it('is ready at `Startup time` when the checkpoint loaded first', () => {
    const lines = [
      'Launching Web UI with arguments: --api',
      'Loading weights [abc] from x',
      LOADED,
      URL_LINE,
      STARTUP,
    ];
    expect(trace(lines)).toEqual([
      'launching',
      'loading-model',
      'launching+ckpt',
      'launching+ckpt',
      'ready+ckpt',
    ]);
  });

  it('shows a first-run install with its last line, and stays out of it once launched', () => {
    const install = [
      'Creating venv in directory C:\\sd\\venv using python "C:\\Python310\\python.exe"',
      'Installing torch and torchvision',
      'Collecting torch==2.1.2',
      '  Downloading https://download.pytorch.org/whl/cu121/torch-2.1.2%2Bcu121-cp310-cp310-win_amd64.whl (2473.9 MB)',
    ];
    expect(fold(install)).toMatchObject({ phase: 'installing', line: install[3]?.trim() });
    const launched = fold([...install, 'Launching Web UI with arguments: --api']);
    const download =
      'Downloading: "https://huggingface.co/runwayml/stable-diffusion-v1-5/resolve/main/v1-5-pruned-emaonly.safetensors" to C:\\sd\\models\\x';
    expect(foldA1111Line(launched, download)).toMatchObject({ phase: 'loading-model', line: download });
  });

  it('keeps the error line: a busy port, webui.bat giving up, a missing checkpoint', () => {
    const busy =
      'OSError: Cannot find empty port in range: 7860-7860. You can specify a different port by setting the GRADIO_SERVER_PORT environment variable or passing the `server_port` parameter to `launch()`.';
    expect(
      fold([
        'Launching Web UI with arguments: --api',
        'Traceback (most recent call last):',
        '  File "launch.py", line 48, in <module>',
        busy,
      ]),
    ).toMatchObject({
      phase: 'launching',
      line: busy,
    });
    // Python waits for the loading thread before it exits: its last words come after the error.
    const lateThread = [
      'Creating model from config: x.yaml',
      'Applying attention optimization: Doggettx... done.',
      LOADED,
    ];
    expect(
      fold(['Launching Web UI with arguments: --api', 'Loading weights [abc] from x', busy, ...lateThread]),
    ).toMatchObject({
      checkpointLoaded: true,
      line: busy,
    });
    expect(
      fold([
        'Installing torch and torchvision',
        "RuntimeError: Couldn't install torch.",
        'Launch unsuccessful. Exiting.',
      ]).line,
    ).toBe('Launch unsuccessful. Exiting.');
    const none =
      "Can't run without a checkpoint. Find and place a .ckpt or .safetensors file into any of those locations.";
    expect(
      fold([
        'Launching Web UI with arguments:',
        'No checkpoints found. When searching for checkpoints, looked at:',
        none,
        URL_LINE,
        STARTUP,
      ]),
    ).toMatchObject({
      phase: 'loading-model',
      checkpointLoaded: false,
      line: none,
    });
  });

  it('follows a checkpoint switch, a UI reload, a stop and a new run', () => {
    const ready = fold(['Launching Web UI with arguments: --api', LOADED, STARTUP]);
    expect(ready.phase).toBe('ready');
    const switching = foldA1111Line(ready, 'Loading weights [0123456789] from D:\\models\\sdxl.safetensors');
    expect(switching).toMatchObject({ phase: 'loading-model', checkpointLoaded: false, started: true });
    expect(foldA1111Line(switching, 'Weights loaded in 3.1s (send model to cpu: 0.5s).')).toMatchObject({
      phase: 'ready',
      checkpointLoaded: true,
    });
    expect(
      trace(['Launching Web UI with arguments: --api', LOADED, STARTUP, 'Restarting UI...', STARTUP]),
    ).toEqual(['launching', 'launching+ckpt', 'ready+ckpt', 'launching+ckpt', 'ready+ckpt']);
    const stopped = foldA1111Line(ready, 'Stopping server...');
    expect(stopped).toMatchObject({ phase: 'stopped', started: false });
    expect(foldA1111Line(stopped, 'Launching Web UI with arguments: --api')).toEqual({
      phase: 'launching',
      line: 'Launching Web UI with arguments: --api',
      checkpointLoaded: false,
      urlLine: null,
      started: false,
    });
  });

  it('reads lines as a terminal shows them: colours gone, a progress bar as its last rewrite', () => {
    const colourful = '\x1b[1m\x1b[32mLaunching Web UI with arguments: --api\x1b[0m';
    expect(foldA1111Line(INITIAL_A1111_PROGRESS, colourful).phase).toBe('launching');
    const bar = '100%|██████████| 20/20 [00:02<00:00]\rModel loaded in 2.0s (total).\r';
    expect(foldA1111Line(fold(['Launching Web UI with arguments:', STARTUP]), bar).phase).toBe('ready');
  });

  it('returns the same state for lines that say nothing new', () => {
    const ready = fold(['Launching Web UI with arguments: --api', LOADED, STARTUP]);
    for (const line of [
      '',
      '100%|██████████| 20/20',
      'Total progress: 100%',
      'To create a public link, set `share=True` in `launch()`.',
    ])
      expect(foldA1111Line(ready, line)).toBe(ready);
  });
});
