/**
 * A stand-in for NVIDIA's `nvidia-smi` query mode, faithful to ../shared/facts.md (GPU VRAM):
 *
 * - `--query-gpu=<fields> --format=csv[,noheader][,nounits]`: one line per GPU, fields joined by ", ";
 *   with units `12282 MiB`, `37 %`, `35.12 W`, `2475 MHz` (temperatures carry none); the header names each
 *   field with its unit in brackets. A value the GPU does not report is `[N/A]` (or whatever bracketed
 *   text the test gives) in both forms. A field it does not know: `Field "x" is not a valid field to
 *   query.`, exit 2. Besides the sampler's fields it answers the ones systeminformation's graphics()
 *   asks for, so that library can run it too.
 * - `--loop-ms=N` (`-lms N`), `--loop=S` (`-l S`): prints every GPU's line at once, then again every
 *   interval, until it is killed or its stdout closes (EPIPE) or its parent goes.
 * - The driver/NVML mismatch (facts.md): `Failed to initialize NVML: Driver/library version mismatch`
 *   and `NVML library version: …` on stdout, exit 18, whatever was asked. No driver: the
 *   "couldn't communicate with the NVIDIA driver" text, exit 9.
 *
 * Environment:
 *   NVSMI_DOUBLE_GPUS        JSON list of {name, total, used, free?, util, temp}; any value may be a
 *                            bracketed string such as "[N/A]". Default: one RTX 4070, 12282 MiB.
 *   NVSMI_DOUBLE_MODE        ok | mismatch | no-gpu
 *   NVSMI_DOUBLE_DIE_AFTER   loop mode: after this many ticks print a device error and exit 1
 *   NVSMI_DOUBLE_SILENT      "1": loop mode never prints (a pipe that is never flushed); single runs do
 *   NVSMI_DOUBLE_CRLF        "1": Windows line ends
 *   NVSMI_DOUBLE_OLLAMA_URL  memory.used of GPU 0 also counts the size_vram of that Ollama's GET /api/ps
 *   NVSMI_DOUBLE_A1111_URL   … and that A1111's /sdapi/v1/memory cuda.reserved.current (asked each tick),
 *                            so an unload in those doubles shows here as freed VRAM.
 * Writes no files.
 */
const env = process.env;
const EOL = env.NVSMI_DOUBLE_CRLF === '1' ? '\r\n' : '\n';
const MIB = 1024 * 1024;
const RTX_4070 = { name: 'NVIDIA GeForce RTX 4070', total: 12282, used: 640, util: 3, temp: 41 };

/** field → [header unit or '', value of GPU i]; the values are as nvidia-smi prints them with nounits. */
const FIELDS = {
  index: ['', (g, i) => String(i)],
  name: ['', (g) => String(g.name)],
  uuid: ['', (g, i) => `GPU-5f3c9a1e-7b2d-4c8e-9f10-${String(i).padStart(12, '0')}`],
  driver_version: ['', () => env.NVSMI_DOUBLE_DRIVER ?? '576.52'],
  'pci.bus_id': ['', (g, i) => `00000000:0${i + 1}:00.0`],
  'pci.sub_device_id': ['', () => '0x51611462'],
  'fan.speed': ['%', () => '30'],
  'memory.total': ['MiB', (g) => String(g.total)],
  'memory.used': ['MiB', (g) => String(g.used)],
  'memory.free': ['MiB', (g) => String(g.free)],
  'utilization.gpu': ['%', (g) => String(g.util)],
  'utilization.memory': ['%', () => '9'],
  'temperature.gpu': ['', (g) => String(g.temp)],
  // GeForce cards report no memory temperature.
  'temperature.memory': ['', () => '[N/A]'],
  'power.draw': ['W', () => '35.12'],
  'power.limit': ['W', () => '200.00'],
  'clocks.gr': ['MHz', () => '2475'],
  'clocks.mem': ['MHz', () => '10501'],
};

const bracketed = (v) => typeof v === 'string' && /^\[.*\]$/.test(v);

function out(text) {
  process.stdout.write(text.split('\n').join(EOL));
}

function exitAfter(text, code) {
  process.stdout.write(text.split('\n').join(EOL), () => process.exit(code));
}

function parseArgs(argv) {
  const a = { query: null, format: null, loopMs: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--query-gpu') a.query = value();
    else if (flag === '--format') a.format = value();
    else if (flag === '--loop-ms' || flag === '-lms') a.loopMs = Number(value());
    else if (flag === '--loop' || flag === '-l') a.loopMs = Number(value()) * 1000;
    else return null;
  }
  return a;
}

function gpusFromEnv() {
  const list = env.NVSMI_DOUBLE_GPUS ? JSON.parse(env.NVSMI_DOUBLE_GPUS) : [RTX_4070];
  return list.map((g) => ({ ...RTX_4070, ...g }));
}

/** MiB held by the Ollama and A1111 doubles right now (0 for one that does not answer). */
async function heldByDoubles() {
  const get = async (url) => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return res.ok ? await res.json() : null;
    } catch {
      return null;
    }
  };
  let bytes = 0;
  if (env.NVSMI_DOUBLE_OLLAMA_URL) {
    const ps = await get(new URL('/api/ps', env.NVSMI_DOUBLE_OLLAMA_URL));
    for (const m of ps?.models ?? []) bytes += Number(m.size_vram) || 0;
  }
  if (env.NVSMI_DOUBLE_A1111_URL) {
    const mem = await get(new URL('/sdapi/v1/memory', env.NVSMI_DOUBLE_A1111_URL));
    bytes += Number(mem?.cuda?.reserved?.current) || 0;
  }
  return Math.round(bytes / MIB);
}

/** The GPUs as they are now: GPU 0's used memory follows the doubles; free = total − used when both known. */
async function current() {
  const gpus = gpusFromEnv();
  const held = env.NVSMI_DOUBLE_OLLAMA_URL || env.NVSMI_DOUBLE_A1111_URL ? await heldByDoubles() : 0;
  return gpus.map((g, i) => {
    let used = g.used;
    if (i === 0 && !bracketed(used)) used = bracketed(g.total) ? used + held : Math.min(g.total, used + held);
    const free =
      g.free !== undefined ? g.free : bracketed(used) || bracketed(g.total) ? '[N/A]' : g.total - used;
    return { ...g, used, free };
  });
}

function lines(fields, units, gpus) {
  return gpus
    .map((g, i) =>
      fields
        .map((f) => {
          const [unit, get] = FIELDS[f];
          const v = get(g, i);
          return units && unit && !bracketed(v) ? `${v} ${unit}` : v;
        })
        .join(', '),
    )
    .join('\n');
}

async function main() {
  const mode = env.NVSMI_DOUBLE_MODE ?? 'ok';
  if (mode === 'mismatch') {
    return exitAfter(
      'Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.86\n',
      18,
    );
  }
  if (mode === 'no-gpu') {
    return exitAfter(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
      9,
    );
  }
  const args = parseArgs(process.argv.slice(2));
  if (!args || !args.query) {
    return exitAfter("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n\n", 2);
  }
  const fields = args.query.split(',').map((f) => f.trim());
  const unknown = fields.find((f) => !(f in FIELDS));
  if (unknown) return exitAfter(`Field "${unknown}" is not a valid field to query.\n\n`, 2);
  const format = (args.format ?? '').split(',');
  if (format[0] !== 'csv') return exitAfter('The double knows only --format=csv[,noheader][,nounits].\n', 2);
  const header = !format.includes('noheader');
  const units = !format.includes('nounits');
  const headerLine = fields.map((f) => (FIELDS[f][0] ? `${f} [${FIELDS[f][0]}]` : f)).join(', ');

  process.stdout.on('error', () => process.exit(0)); // EPIPE: the reader went away.
  const loop = Number.isFinite(args.loopMs) && args.loopMs > 0;
  if (!loop) {
    return exitAfter(`${header ? `${headerLine}\n` : ''}${lines(fields, units, await current())}\n`, 0);
  }

  // Our parent (the sampler) gone without closing the pipe first: do not run on alone.
  const parent = process.ppid;
  const watch = setInterval(() => process.ppid !== parent && process.exit(0), 500);
  if (env.NVSMI_DOUBLE_SILENT === '1') return; // `watch` keeps the process alive, printing nothing.
  watch.unref();
  const dieAfter = Number(env.NVSMI_DOUBLE_DIE_AFTER ?? 0);
  let ticks = 0;
  const tick = async () => {
    const started = Date.now();
    out(`${header ? `${headerLine}\n` : ''}${lines(fields, units, await current())}\n`);
    if (dieAfter && ++ticks >= dieAfter) {
      return exitAfter('Unable to determine the device handle for GPU0000:01:00.0: Unknown Error\n', 1);
    }
    setTimeout(tick, Math.max(0, args.loopMs - (Date.now() - started)));
  };
  await tick();
}

void main();
