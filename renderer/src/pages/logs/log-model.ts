/**
 * What the log viewer shows, without React: the lines of one or more sources merged by time, grouped
 * into entries (a line and its continuation lines: a traceback is one entry), filtered by level,
 * searched, cleared, and bounded per source.
 *
 * Built for 200k lines taking 5,000 more a second, so nothing is rebuilt on an append:
 * - Three arrays sorted by (time, arrival): every entry held, the entries shown (the filter's
 *   result), and the shown entries that match the search. An append merges its new entries into
 *   each one: at the end (the usual case, O(new)) or, when a batch is older than the tail (another
 *   source's backlog), one linear merge from the first place it reaches (O(tail + new)), never an
 *   insertion per line.
 * - Filter and search results are kept per entry and counted as entries arrive; changing the filter
 *   or the search is one pass over what is held.
 * - The per-source bound drops a slice of the oldest entries at once (2 % of the bound), so the
 *   arrays are compacted once per slice, not once per line.
 */
import type { LogLevel, LogLine, LogMark } from '../../../../electron/contract';
import { plainText } from './ansi';

/** A level chip: one of the four levels, or lines whose entry has none. */
export type LevelChoice = LogLevel | 'none';
export const LEVEL_CHOICES: readonly LevelChoice[] = ['error', 'warn', 'info', 'debug', 'none'];

export interface LogEntry {
  /** Arrival order across the view: the row's key, and the tie-break between equal times. */
  readonly id: number;
  /** The source's key (`service:plugin_daemon`, `ollama`…). */
  readonly source: string;
  /**
   * Where the entry sorts (ms): its first line's time, but never before the previous entry of the
   * same source, so a source's own order survives clock steps and lines without a time.
   */
  readonly t: number;
  readonly stream: 'out' | 'err';
  readonly level: LogLevel | null;
  /** Not output but a note about the stream (recreated, reconnected…); shown as a separator. */
  readonly mark: LogMark | null;
  /** The first line, then its continuation lines. Grows while the entry is the source's open one. */
  readonly lines: readonly LogLine[];
  /**
   * The lines without ANSI escapes (what search, copy and export see), parallel to `lines`; null
   * when no line has escapes (most entries: no second array per line held). Read with plainLine().
   */
  readonly plain: readonly string[] | null;
}

interface HeldEntry extends LogEntry {
  readonly lines: LogLine[];
  plain: string[] | null;
  dropped: boolean;
  /** `matched` is the answer for the search of this generation; any other generation: not asked yet. */
  matchGen: number;
  matched: boolean;
}

interface SourceState {
  lastT: number;
  lastSeq: number;
  lineCount: number;
  /** The entry each stream's continuation lines go to (the grouper in main works per stream). */
  open: { out: HeldEntry | null; err: HeldEntry | null };
  /** This source's entries in arrival order, oldest at `head`: what the bound drops first. */
  queue: HeldEntry[];
  head: number;
}

/** The smallest bound the settings allow; below it a slice would be less than one line. */
const MIN_LIMIT = 1;

function before(a: LogEntry, b: LogEntry): boolean {
  return a.t < b.t || (a.t === b.t && a.id < b.id);
}

/** First index whose entry sorts after `t` (every entry with time ≤ t lies before it). */
function upperBound(list: readonly LogEntry[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as LogEntry).t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of `entry` in a list sorted by (t, id), or -1. */
function indexIn(list: readonly LogEntry[], entry: LogEntry): number {
  const i = lowerBoundEntry(list, entry);
  return list[i] === entry ? i : -1;
}

/** First index whose entry does not sort before `entry`. */
function lowerBoundEntry(list: readonly LogEntry[], entry: LogEntry): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid] as LogEntry, entry)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges `add` (sorted, all newer arrivals than `list`'s) into `list` in place: appended when it
 * starts at or after the tail, else one linear merge of the part of `list` it reaches. Returns the
 * first index whose entry changed (the old length when it only appended).
 */
function mergeInto<T extends LogEntry>(list: T[], add: readonly T[]): number {
  const length = list.length;
  if (add.length === 0) return length;
  const first = add[0] as T;
  const last = list[length - 1];
  if (last === undefined || !before(first, last)) {
    for (const e of add) list.push(e);
    return length;
  }
  const from = upperBound(list, first.t);
  const tail = list.splice(from);
  let i = 0;
  let j = 0;
  while (i < tail.length && j < add.length) {
    if (before(add[j] as T, tail[i] as T)) list.push(add[j++] as T);
    else list.push(tail[i++] as T);
  }
  while (i < tail.length) list.push(tail[i++] as T);
  while (j < add.length) list.push(add[j++] as T);
  return from;
}

/** Line `i` of an entry without ANSI escapes. */
export function plainLine(entry: LogEntry, i: number): string {
  return entry.plain ? (entry.plain[i] as string) : (entry.lines[i] as LogLine).text;
}

/** The entry's text as search sees it: its plain lines, one per line. */
export function entryText(entry: LogEntry): string {
  if (entry.lines.length === 1) return plainLine(entry, 0);
  return entry.plain ? entry.plain.join('\n') : entry.lines.map((l) => l.text).join('\n');
}

export interface SearchQuery {
  text: string;
  /** The text is a regular expression (JavaScript syntax). */
  regex: boolean;
  caseSensitive: boolean;
}

export type CompiledSearch = { re: RegExp | null; error: null } | { re: null; error: string };

/** The query as a RegExp (null: no search); an invalid expression gives the engine's reason instead. */
export function compileSearch(query: SearchQuery): CompiledSearch {
  if (query.text === '') return { re: null, error: null };
  const source = query.regex ? query.text : query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return { re: new RegExp(source, query.caseSensitive ? '' : 'i'), error: null };
  } catch (e) {
    return { re: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Where `re` matches in `text`, as [start, end) pairs; empty matches are skipped (they highlight nothing). */
export function matchRanges(text: string, re: RegExp): Array<[number, number]> {
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const ranges: Array<[number, number]> = [];
  for (let m = global.exec(text); m !== null; m = global.exec(text)) {
    if (m[0].length === 0) {
      global.lastIndex++;
      continue;
    }
    ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/** Where the viewer should go for a `logs:open` request's line: the entry and the line within it. */
export interface LocatedLine {
  entry: LogEntry;
  line: number;
}

export class LogModel {
  private limit: number;
  private readonly sources = new Map<string, SourceState>();
  private all: HeldEntry[] = [];
  private shown: HeldEntry[] = [];
  private matches: HeldEntry[] = [];
  private nextId = 1;
  private levels: ReadonlySet<LevelChoice> = new Set(LEVEL_CHOICES);
  private search: RegExp | null = null;
  private searchGen = 0;
  private current: HeldEntry | null = null;
  private shownAddedCount = 0;
  private changes = 0;
  private shifts = 0;
  /** The first shown index that changed since a view last asked (takeChangedFrom). */
  private changedFrom = 0;

  /** `limit`: lines kept per source (the `logBufferLines` setting); `levels`: the filter to start with. */
  constructor(limit: number, levels: ReadonlySet<LevelChoice> = new Set(LEVEL_CHOICES)) {
    this.limit = Math.max(MIN_LIMIT, Math.floor(limit));
    this.levels = new Set(levels);
  }

  /** Grows with every change: what a view compares to know it must draw again. */
  get version(): number {
    return this.changes;
  }

  /**
   * Grows whenever shown entries change places (dropped, filtered, inserted before others), not when
   * entries are only added at the end: a view keeping per-index sizes must forget them then.
   */
  get layoutShifts(): number {
    return this.shifts;
  }

  /**
   * The first shown index whose entry changed (added, grown, dropped, moved) since the last call;
   * `count` when none did. For a view that keeps something per index (row heights) up to date in
   * O(changed) instead of O(shown). One view asks; the call forgets what it returned.
   */
  takeChangedFrom(): number {
    const from = Math.min(this.changedFrom, this.shown.length);
    this.changedFrom = Number.POSITIVE_INFINITY;
    return from;
  }

  /** Entries held, shown or not (a filter may hide them all). */
  get held(): number {
    return this.all.length;
  }

  /** Entries shown (after the level filter and clear). */
  get count(): number {
    return this.shown.length;
  }

  /** Lines held for every source (shown or not). */
  get lineCount(): number {
    let n = 0;
    for (const src of this.sources.values()) n += src.lineCount;
    return n;
  }

  /** Lines held for a source (shown or not); 0 for one not open. */
  linesOf(source: string): number {
    return this.sources.get(source)?.lineCount ?? 0;
  }

  /** Entries ever added to the shown list: a paused view's "N new" is the growth of this. */
  get shownAdded(): number {
    return this.shownAddedCount;
  }

  entry(index: number): LogEntry | undefined {
    return this.shown[index];
  }

  /** Where an entry is among those shown, or -1 (filtered out, dropped, cleared). */
  indexOf(entry: LogEntry): number {
    return indexIn(this.shown, entry);
  }

  /** The shown entries, oldest first (export, copy). */
  shownEntries(): readonly LogEntry[] {
    return this.shown;
  }

  // ---------- lines in ----------

  /** A source's lines, in its own order (a batch of the `log-lines` topic). */
  append(source: string, lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    const src = this.sourceState(source);
    const firstFresh = this.nextId;
    const fresh: HeldEntry[] = [];
    const grown = new Set<HeldEntry>();
    for (const line of lines) {
      src.lastSeq = line.seq;
      if (line.mark) {
        // A break in the stream: nothing after it continues what came before.
        src.open.out = null;
        src.open.err = null;
        fresh.push(this.newEntry(source, src, line));
        continue;
      }
      const open = line.cont ? src.open[line.stream] : null;
      if (open && !open.dropped) {
        open.lines.push(line);
        const plain = plainText(line.text);
        if (open.plain) open.plain.push(plain);
        else if (plain !== line.text) open.plain = [...open.lines.slice(0, -1).map((l) => l.text), plain];
        src.lineCount++;
        if (open.id < firstFresh) grown.add(open);
      } else {
        const entry = this.newEntry(source, src, line);
        fresh.push(entry);
        src.open[line.stream] = entry;
      }
    }
    this.merge(fresh);
    for (const entry of grown) {
      const at = indexIn(this.shown, entry);
      if (at !== -1) this.touch(at);
      this.recheck(entry);
    }
    if (src.lineCount > this.limit) this.trim(src);
    this.changes++;
  }

  /** Main dropped `count` lines of this source before the next batch (a view that fell behind). */
  noteDropped(source: string, count: number): void {
    if (count <= 0) return;
    const src = this.sourceState(source);
    const line: LogLine = {
      seq: src.lastSeq,
      at: null,
      stream: 'out',
      text: String(count),
      level: null,
      cont: false,
      mark: 'dropped',
    };
    this.append(source, [line]);
  }

  /** The source is no longer viewed: its entries go. */
  removeSource(source: string): void {
    const src = this.sources.get(source);
    if (!src) return;
    for (let i = src.head; i < src.queue.length; i++) (src.queue[i] as HeldEntry).dropped = true;
    this.sources.delete(source);
    this.compact();
    this.changes++;
  }

  /** Hides what came so far; lines arriving later are shown. The sources stay open. */
  clear(): void {
    for (const e of this.all) e.dropped = true;
    this.shifts++;
    this.touch(0);
    this.all = [];
    this.shown = [];
    this.matches = [];
    this.current = null;
    for (const src of this.sources.values()) {
      src.queue = [];
      src.head = 0;
      src.lineCount = 0;
      src.open.out = null;
      src.open.err = null;
    }
    this.changes++;
  }

  /** A new bound (the setting changed): sources above it drop their oldest lines now. */
  setLimit(limit: number): void {
    this.limit = Math.max(MIN_LIMIT, Math.floor(limit));
    for (const src of this.sources.values()) if (src.lineCount > this.limit) this.trim(src);
    this.changes++;
  }

  // ---------- filter and search ----------

  get levelFilter(): ReadonlySet<LevelChoice> {
    return this.levels;
  }

  setLevels(levels: ReadonlySet<LevelChoice>): void {
    this.levels = new Set(levels);
    this.shifts++;
    this.touch(0);
    this.shown = this.all.filter((e) => this.passes(e));
    this.matches = this.search ? this.shown.filter((e) => this.matchesSearch(e)) : [];
    if (this.current && !this.current.dropped && !this.passes(this.current)) this.current = null;
    this.changes++;
  }

  /** The search's pattern (null: none); what rows highlight. */
  get searchPattern(): RegExp | null {
    return this.search;
  }

  setSearch(re: RegExp | null): void {
    this.search = re;
    this.searchGen++;
    this.matches = re ? this.shown.filter((e) => this.matchesSearch(e)) : [];
    if (this.current && (re === null || !this.matchesSearch(this.current))) this.current = null;
    this.changes++;
  }

  /** Shown entries the search matches. */
  get matchCount(): number {
    return this.matches.length;
  }

  isMatch(entry: LogEntry): boolean {
    const held = entry as HeldEntry;
    return this.search !== null && held.matchGen === this.searchGen && held.matched;
  }

  /** The match last stepped to and its place among the matches (0-based), or null. */
  currentMatch(): { entry: LogEntry; index: number } | null {
    if (!this.current || this.current.dropped) return null;
    const index = indexIn(this.matches, this.current);
    return index === -1 ? null : { entry: this.current, index };
  }

  /**
   * The next (1) or previous (-1) match: after/before the current one, or — with none yet — from the
   * shown entry at `from` (the top of the view), wrapping around. Returns the shown index to go to.
   */
  step(direction: 1 | -1, from: number): number | null {
    const n = this.matches.length;
    if (n === 0) return null;
    const at = this.currentMatch();
    let pos: number;
    if (at) {
      pos = (at.index + direction + n) % n;
    } else {
      const anchor = this.shown[Math.max(0, Math.min(from, this.shown.length - 1))];
      const lower = anchor ? lowerBoundEntry(this.matches, anchor) : 0;
      // Forward: the first match at or after the anchor; backward: the last one before it.
      pos = direction === 1 ? lower % n : (lower - 1 + n) % n;
    }
    this.current = this.matches[pos] as HeldEntry;
    this.changes++;
    return this.indexOf(this.current);
  }

  /**
   * The line a `logs:open` request points at: this source's line with that time and text (the text
   * as printed, with or without escapes), else its first line at that time, else the nearest in time.
   */
  locate(source: string, at: number, text: string): LocatedLine | null {
    const src = this.sources.get(source);
    if (!src) return null;
    const wanted = plainText(text).trim();
    let sameTime: LocatedLine | null = null;
    let nearest: { found: LocatedLine; distance: number } | null = null;
    for (let i = src.queue.length - 1; i >= src.head; i--) {
      const entry = src.queue[i] as HeldEntry;
      if (entry.mark) continue;
      for (let l = 0; l < entry.lines.length; l++) {
        const lineAt = (entry.lines[l] as LogLine).at;
        if (lineAt === at) {
          const plain = plainLine(entry, l).trim();
          if (plain === wanted || (wanted !== '' && plain.includes(wanted))) return { entry, line: l };
          sameTime ??= { entry, line: l };
        } else if (lineAt !== null) {
          const distance = Math.abs(lineAt - at);
          if (!nearest || distance < nearest.distance) nearest = { found: { entry, line: l }, distance };
        }
      }
    }
    return sameTime ?? nearest?.found ?? null;
  }

  // ---------- internals ----------

  private sourceState(source: string): SourceState {
    let src = this.sources.get(source);
    if (!src) {
      src = { lastT: 0, lastSeq: 0, lineCount: 0, open: { out: null, err: null }, queue: [], head: 0 };
      this.sources.set(source, src);
    }
    return src;
  }

  private newEntry(source: string, src: SourceState, line: LogLine): HeldEntry {
    const t = Math.max(line.at ?? src.lastT, src.lastT);
    src.lastT = t;
    const entry: HeldEntry = {
      id: this.nextId++,
      source,
      t,
      stream: line.stream,
      level: line.mark ? null : line.level,
      mark: line.mark ?? null,
      lines: [line],
      plain: null,
      dropped: false,
      matchGen: -1,
      matched: false,
    };
    const plain = line.mark ? line.text : plainText(line.text);
    if (plain !== line.text) entry.plain = [plain];
    src.queue.push(entry);
    src.lineCount++;
    return entry;
  }

  private passes(entry: HeldEntry): boolean {
    if (entry.mark) return true;
    return this.levels.has(entry.level ?? 'none');
  }

  private matchesSearch(entry: HeldEntry): boolean {
    if (!this.search || entry.mark) return false;
    if (entry.matchGen !== this.searchGen) {
      entry.matched = this.search.test(entryText(entry));
      entry.matchGen = this.searchGen;
    }
    return entry.matched;
  }

  private merge(fresh: readonly HeldEntry[]): void {
    mergeInto(this.all, fresh);
    const shown = fresh.filter((e) => this.passes(e));
    this.shownAddedCount += shown.length;
    const length = this.shown.length;
    const from = mergeInto(this.shown, shown);
    if (from < length) this.shifts++;
    this.touch(from);
    if (this.search)
      mergeInto(
        this.matches,
        shown.filter((e) => this.matchesSearch(e)),
      );
  }

  /** An entry got continuation lines: the search may see it differently now. */
  private recheck(entry: HeldEntry): void {
    if (!this.search || entry.dropped || !this.passes(entry)) return;
    const was = entry.matchGen === this.searchGen && entry.matched;
    entry.matchGen = -1;
    const is = this.matchesSearch(entry);
    if (was === is) return;
    const at = lowerBoundEntry(this.matches, entry);
    if (is) this.matches.splice(at, 0, entry);
    else if (this.matches[at] === entry) this.matches.splice(at, 1);
  }

  /** Drops the source's oldest entries down to 98 % of the bound, then compacts once. */
  private trim(src: SourceState): void {
    const keep = this.limit - Math.floor(this.limit / 50);
    let newest: HeldEntry | undefined;
    while (src.lineCount > keep && src.head < src.queue.length) {
      const entry = src.queue[src.head++] as HeldEntry;
      entry.dropped = true;
      newest = entry;
      src.lineCount -= entry.lines.length;
      if (src.open.out === entry) src.open.out = null;
      if (src.open.err === entry) src.open.err = null;
    }
    if (src.head > src.queue.length / 2) {
      src.queue = src.queue.slice(src.head);
      src.head = 0;
    }
    if (newest) this.compact(newest);
  }

  /**
   * Takes dropped entries out of the three lists. `newest`: the newest entry dropped, when every
   * dropped one sorts at or before it (the bound drops a source's oldest): only the lists' start up
   * to it is walked, the rest moves in one splice.
   */
  private compact(newest?: HeldEntry): void {
    for (const list of [this.all, this.shown, this.matches]) {
      let upTo = list.length;
      if (newest) {
        const at = lowerBoundEntry(list, newest);
        upTo = list[at] === newest ? at + 1 : at;
      }
      let kept = 0;
      for (let i = 0; i < upTo; i++) {
        const entry = list[i] as HeldEntry;
        if (!entry.dropped) list[kept++] = entry;
        else if (list === this.shown && kept === i) this.touch(i);
      }
      if (kept < upTo) list.splice(kept, upTo - kept);
    }
    if (this.current?.dropped) this.current = null;
    this.shifts++;
  }

  private touch(index: number): void {
    if (index < this.changedFrom) this.changedFrom = index;
  }
}
