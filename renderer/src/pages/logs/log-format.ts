/**
 * The viewer's text outside the rows: times as the rows show them, the text that Copy and Export
 * write (what is shown, in the order shown), and the export's file name. Pure: unit tested.
 */
import { plainLine, type LogEntry } from './log-model';

const two = (n: number) => String(n).padStart(2, '0');

/**
 * `15:45:05.472`, local time. Written out by hand: it runs for every row drawn, and
 * Intl.DateTimeFormat has no millisecond field in every engine's `formatToParts`.
 */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `2026-12-03 15:45:05.472`, local time: a line in an exported file, read days later. */
export function stampTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clockTime(ms)}`;
}

export interface ShownTextOptions {
  timestamps: boolean;
  /** The source's name before each line when several are shown; null with one source. */
  sourceName: ((key: string) => string) | null;
  /** A mark's sentence in the window's language. */
  markText: (entry: LogEntry) => string;
}

/** Every shown line as text, one per line (a traceback's lines each on its own), marks as separators. */
export function shownText(entries: readonly LogEntry[], options: ShownTextOptions): string {
  const out: string[] = [];
  for (const entry of entries) {
    const source = options.sourceName ? `[${options.sourceName(entry.source)}] ` : '';
    if (entry.mark) {
      out.push(`${source}--- ${options.markText(entry)} ---`);
      continue;
    }
    entry.lines.forEach((line, i) => {
      const time = options.timestamps ? `${line.at === null ? '-' : stampTime(line.at)} ` : '';
      out.push(`${time}${source}${plainLine(entry, i)}`);
    });
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/**
 * `plugin_daemon-20261203-154505.log`: the sources' names (or how many) and the time, with only
 * characters every file system takes (the contract refuses `\ / : * ? " < > |`).
 */
export function exportName(names: readonly string[], now: number): string {
  const d = new Date(now);
  const time = `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
  const what = names.length === 1 ? (names[0] as string) : `logs-${names.length}-sources`;
  const safe = what.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 80) || 'logs';
  return `${safe}-${time}.log`;
}

/** An export's size for the status line: `820 B`, `14.2 KB`, `3.1 MB` (1024-based, like Explorer). */
export function sizeText(bytes: number, locale: string): string {
  const one = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${one.format(bytes / 1024)} KB`;
  return `${one.format(bytes / (1024 * 1024))} MB`;
}
