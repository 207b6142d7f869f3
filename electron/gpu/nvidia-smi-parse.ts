/**
 * nvidia-smi's CSV query output and its failures, read without I/O.
 *
 * facts.md (GPU VRAM): `--format=csv,noheader,nounits` prints one line per GPU, fields joined by ", ",
 * MiB/%/°C; any bracketed value (`[N/A]`, `[Not Supported]`, `[Unknown Error]`,
 * `[Insufficient Permissions]`) means unknown — null here, never 0. `--loop-ms=N` keeps one process
 * printing those lines every N ms.
 */
import type { GpuReading } from '../core/contract';

/** The fields asked for, in the order the columns come back (`index` first groups lines into ticks). */
export const QUERY_FIELDS: readonly string[] = [
  'index',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'temperature.gpu',
];

/** The arguments of a query run; with `loopMs` the process keeps printing (one stream, not a spawn per sample). */
export function nvidiaSmiArgs(loopMs?: number): string[] {
  const args = [`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];
  if (loopMs !== undefined) args.push(`--loop-ms=${Math.max(1, Math.round(loopMs))}`);
  return args;
}

/** The numeric columns after the name: memory.total, memory.used, memory.free, utilization.gpu, temperature.gpu. */
const NUMERIC_COLUMNS = 5;
const NUMBER = /^-?\d+(?:\.\d+)?$/;
const BRACKETED = /^\[[^\]]*\]$/;

/** A number, null for a bracketed unknown, undefined for anything else (then the line is not ours). */
function value(field: string): number | null | undefined {
  if (NUMBER.test(field)) return Number(field);
  if (BRACKETED.test(field)) return null;
  return undefined;
}

/**
 * One line of output → a reading; null when it is not a data line (a message, a blank line). The name
 * is everything between the index and the last five columns, so a name holding ", " still parses.
 */
export function parseReadingLine(line: string): GpuReading | null {
  const fields = line.trim().split(', ');
  if (fields.length < 2 + NUMERIC_COLUMNS) return null;
  const index = fields[0] as string;
  if (!/^\d+$/.test(index)) return null;
  const numbers = fields.slice(-NUMERIC_COLUMNS).map(value);
  if (numbers.some((n) => n === undefined)) return null;
  const [memoryTotal, memoryUsed, memoryFree, utilization, temperature] = numbers as (number | null)[];
  return {
    index: Number(index),
    name: fields.slice(1, -NUMERIC_COLUMNS).join(', ').trim(),
    memoryTotal: memoryTotal ?? null,
    memoryUsed: memoryUsed ?? null,
    memoryFree: memoryFree ?? null,
    utilization: utilization ?? null,
    temperature: temperature ?? null,
  };
}

export interface SmiFailure {
  kind: 'driver-mismatch' | 'no-gpu' | 'error';
  /** The output lines that say what happened, joined by "; " (or the exit code when it printed nothing). */
  message: string;
}

/** facts.md: the mismatch prints these two lines on stdout and exits 18 (seen after a driver update, until a reboot). */
const MISMATCH = /Driver\/library version mismatch/i;
const MISMATCH_EXIT = 18;
/** No driver loaded (exit 9: "couldn't communicate with the NVIDIA driver"), or a driver without a GPU. */
const NO_GPU = /couldn't communicate with the NVIDIA driver|No devices were found/i;
const NO_DRIVER_EXIT = 9;

/** Why a run printed no readings: what the user has to do differs for each kind. */
export function classifyFailure(stdout: string, stderr: string, exitCode: number | null): SmiFailure {
  const lines = `${stdout}\n${stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && parseReadingLine(l) === null);
  const text = lines.join('; ');
  const message = text || `exit code ${exitCode ?? 'none'}`;
  if (MISMATCH.test(text) || exitCode === MISMATCH_EXIT) return { kind: 'driver-mismatch', message };
  if (NO_GPU.test(text) || exitCode === NO_DRIVER_EXIT) return { kind: 'no-gpu', message };
  return { kind: 'error', message };
}
