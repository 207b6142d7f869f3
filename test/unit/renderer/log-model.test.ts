import { describe, expect, it } from 'vitest';
import type { LogLevel, LogLine } from '../../../electron/contract';
import { ansiTokens, paletteRgb, plainText } from '../../../renderer/src/pages/logs/ansi';
import { FOLLOWING, newSincePause, paused, scrolled } from '../../../renderer/src/pages/logs/follow';
import {
  compileSearch,
  entryText,
  LEVEL_CHOICES,
  LogModel,
  matchRanges,
  plainLine,
  type LevelChoice,
  type LogEntry,
} from '../../../renderer/src/pages/logs/log-model';

const BIG = 200_000;
const LEVELS: Array<LogLevel | null> = ['info', 'debug', 'warn', null, 'error'];

function line(seq: number, at: number | null, text: string, over: Partial<LogLine> = {}): LogLine {
  return { seq, at, stream: 'out', text, level: null, cont: false, ...over };
}

/** `count` lines from `startSeq`, one every `stepMs` from `startAt`, levels cycling through LEVELS. */
function lines(count: number, startAt: number, stepMs: number, tag: string, startSeq = 0): LogLine[] {
  return Array.from({ length: count }, (_, i) =>
    line(startSeq + i, startAt + i * stepMs, `${tag} line ${startSeq + i}`, {
      level: LEVELS[(startSeq + i) % LEVELS.length] ?? null,
    }),
  );
}

const ids = (entries: readonly LogEntry[]) => entries.map((e) => e.id);

function sortedByTime(entries: readonly LogEntry[]): boolean {
  return entries.every((e, i) => i === 0 || (entries[i - 1] as LogEntry).t <= e.t);
}

/** Each source's entries appear in the order the source sent them. */
function sourceOrderKept(entries: readonly LogEntry[]): boolean {
  const lastSeq = new Map<string, number>();
  return entries.every((e) => {
    const seq = (e.lines[0] as LogLine).seq;
    const ok = (lastSeq.get(e.source) ?? -1) <= seq;
    lastSeq.set(e.source, seq);
    return ok;
  });
}

function inBatches(model: LogModel, source: string, all: readonly LogLine[], size: number): void {
  for (let i = 0; i < all.length; i += size) model.append(source, all.slice(i, i + size));
}

function search(text: string, over: { regex?: boolean; caseSensitive?: boolean } = {}): RegExp | null {
  const compiled = compileSearch({
    text,
    regex: over.regex ?? false,
    caseSensitive: over.caseSensitive ?? false,
  });
  if (compiled.error !== null) throw new Error(compiled.error);
  return compiled.re;
}

describe('merging sources by time', () => {
  it('interleaves two 100k backlogs by time, a source arriving whole after the other', () => {
    const model = new LogModel(1_000_000);
    // A at even milliseconds, B at odd ones; B's backlog comes after all of A's (its own subscription).
    inBatches(model, 'a', lines(BIG / 2, 0, 2, 'a'), 10_000);
    inBatches(model, 'b', lines(BIG / 2, 1, 2, 'b'), 10_000);
    expect(model.count).toBe(BIG);
    const shown = model.shownEntries();
    expect(sortedByTime(shown)).toBe(true);
    expect(sourceOrderKept(shown)).toBe(true);
    expect(shown.slice(0, 4).map((e) => e.source)).toEqual(['a', 'b', 'a', 'b']);
  });

  it("keeps a source's own order when its clock steps back or a line has no time", () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 100, 'first'), line(1, 50, 'clock stepped back'), line(2, null, 'no time')]);
    model.append('b', [line(0, 75, 'b at 75')]);
    expect(model.shownEntries().map((e) => entryText(e))).toEqual([
      'b at 75',
      'first',
      'clock stepped back',
      'no time',
    ]);
  });

  it('appends live lines at the end, and puts a line older than the tail in its place', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 1000, 'a 1000')]);
    model.append('b', [line(0, 2000, 'b 2000')]);
    model.append('a', [line(1, 1500, 'a 1500')]);
    model.append('b', [line(1, 2500, 'b 2500')]);
    expect(model.shownEntries().map(entryText)).toEqual(['a 1000', 'a 1500', 'b 2000', 'b 2500']);
  });

  it('puts lines with the same time in arrival order', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 5, 'a')]);
    model.append('b', [line(0, 5, 'b')]);
    model.append('a', [line(1, 5, 'a again')]);
    expect(model.shownEntries().map(entryText)).toEqual(['a', 'b', 'a again']);
  });
});

describe('entries: a line and its continuation lines', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/app/main.py", line 3, in <module>',
    '    import requests',
    "ModuleNotFoundError: No module named 'requests'",
  ];

  it('groups a traceback into one entry with the level of its first line', () => {
    const model = new LogModel(1000);
    model.append('d', [
      line(0, 1, 'starting'),
      ...traceback.map((text, i) => line(1 + i, 2, text, { stream: 'err', level: 'error', cont: i > 0 })),
      line(5, 3, 'next'),
    ]);
    expect(model.count).toBe(3);
    const tb = model.entry(1) as LogEntry;
    expect(tb.lines).toHaveLength(4);
    expect(tb.level).toBe('error');
    expect(tb.stream).toBe('err');
    expect(entryText(tb)).toBe(traceback.join('\n'));
    expect(model.linesOf('d')).toBe(6);
  });

  it('continues an entry per stream: stdout between the lines of a stderr traceback does not split it', () => {
    const model = new LogModel(1000);
    model.append('d', [
      line(0, 1, traceback[0] as string, { stream: 'err', level: 'error' }),
      line(1, 1, 'heartbeat', { stream: 'out', level: 'info' }),
      line(2, 1, traceback[1] as string, { stream: 'err', cont: true }),
    ]);
    expect(model.count).toBe(2);
    expect((model.entry(0) as LogEntry).lines).toHaveLength(2);
    expect(entryText(model.entry(1) as LogEntry)).toBe('heartbeat');
  });

  it('grows an entry across batches, and the search sees the lines that came later', () => {
    const model = new LogModel(1000);
    model.setSearch(search('ModuleNotFoundError'));
    model.append('d', [line(0, 1, traceback[0] as string, { stream: 'err', level: 'error' })]);
    expect(model.matchCount).toBe(0);
    model.append(
      'd',
      traceback.slice(1).map((text, i) => line(1 + i, 1, text, { stream: 'err', cont: true })),
    );
    expect(model.count).toBe(1);
    expect(model.matchCount).toBe(1);
    expect(model.isMatch(model.entry(0) as LogEntry)).toBe(true);
  });

  it('starts a new entry after a mark: a break is never continued', () => {
    const model = new LogModel(1000);
    model.append('d', [
      line(0, 1, 'Traceback (most recent call last):', { level: 'error' }),
      line(1, 2, 'abc123', { mark: 'recreated' }),
      line(2, 3, '  File "x.py", line 1', { cont: true }),
    ]);
    expect(model.shownEntries().map((e) => e.mark)).toEqual([null, 'recreated', null]);
    expect((model.entry(2) as LogEntry).lines).toHaveLength(1);
  });

  it('takes a continuation line with nothing to continue as an entry of its own', () => {
    const model = new LogModel(1000);
    model.append('d', [line(0, 1, '    orphan', { cont: true, level: 'error' })]);
    expect(model.count).toBe(1);
    expect((model.entry(0) as LogEntry).level).toBe('error');
  });
});

describe('level filter', () => {
  it('filters 200k entries by level, lines without a level as their own choice, marks always shown', () => {
    const model = new LogModel(1_000_000);
    inBatches(model, 'a', lines(BIG, 0, 1, 'a'), 25_000);
    model.append('a', [line(BIG, BIG, 'c0ffee', { mark: 'recreated' })]);
    model.setLevels(new Set<LevelChoice>(['error']));
    // One line in five is an error (LEVELS), plus the mark.
    expect(model.count).toBe(BIG / 5 + 1);
    expect(model.shownEntries().every((e) => e.level === 'error' || e.mark !== null)).toBe(true);
    model.setLevels(new Set<LevelChoice>(['none']));
    expect(model.count).toBe(BIG / 5 + 1);
    expect(model.shownEntries().every((e) => e.level === null)).toBe(true);
    model.setLevels(new Set(LEVEL_CHOICES));
    expect(model.count).toBe(BIG + 1);
  });

  it('applies the filter to lines arriving after it was set', () => {
    const model = new LogModel(1000);
    model.setLevels(new Set<LevelChoice>(['warn', 'error']));
    model.append('a', lines(10, 0, 1, 'a'));
    expect(model.shownEntries().map((e) => e.level)).toEqual(['warn', 'error', 'warn', 'error']);
  });
});

describe('search', () => {
  it('finds text case-insensitively by default, or exactly as typed', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 1, 'Plugin ERROR here'), line(1, 2, 'an error'), line(2, 3, 'fine')]);
    model.setSearch(search('error'));
    expect(model.matchCount).toBe(2);
    model.setSearch(search('error', { caseSensitive: true }));
    expect(model.matchCount).toBe(1);
  });

  it('takes text literally, and a regex as one', () => {
    const model = new LogModel(1000);
    model.append('a', [
      line(0, 1, 'a.b'),
      line(1, 2, 'axb'),
      line(2, 3, 'status=500'),
      line(3, 4, 'status=200'),
    ]);
    model.setSearch(search('a.b'));
    expect(model.matchCount).toBe(1);
    model.setSearch(search('a.b', { regex: true }));
    expect(model.matchCount).toBe(2);
    model.setSearch(search('status=5\\d\\d', { regex: true }));
    expect(model.matchCount).toBe(1);
  });

  it('reports an invalid regex instead of throwing, and an empty query as no search', () => {
    const bad = compileSearch({ text: '(unclosed', regex: true, caseSensitive: false });
    expect(bad.re).toBeNull();
    expect(bad.error).toMatch(/./);
    expect(compileSearch({ text: '(unclosed', regex: false, caseSensitive: false }).error).toBeNull();
    expect(compileSearch({ text: '', regex: true, caseSensitive: false })).toEqual({ re: null, error: null });
  });

  it('searches the text without ANSI escapes, also when only a later line of an entry has them', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 1, '\u001b[31mERR\u001b[0mOR: boom')]);
    model.append('b', [line(0, 2, 'Traceback (most recent call last):', { level: 'error' })]);
    model.append('b', [line(1, 2, '\u001b[1mValueError\u001b[0m: bad', { cont: true })]);
    model.setSearch(search('error: boom'));
    expect(model.matchCount).toBe(1);
    model.setSearch(search('call last\\):\\nValueError: bad$', { regex: true }));
    expect(model.matchCount).toBe(1);
    expect(plainLine(model.entry(1) as LogEntry, 1)).toBe('ValueError: bad');
    // A line without escapes keeps no second copy.
    expect((model.entry(0) as LogEntry).plain).toEqual(['ERROR: boom']);
    model.append('c', [line(0, 3, 'plain')]);
    expect((model.entry(2) as LogEntry).plain).toBeNull();
  });

  it('counts and steps through matches among the filtered entries only, wrapping around', () => {
    const model = new LogModel(1_000_000);
    inBatches(model, 'a', lines(BIG, 0, 1, 'a'), 50_000);
    // Lines whose number ends in 7: one in ten, all of level LEVELS[7 % 5] = warn.
    model.setSearch(search('7$', { regex: true }));
    expect(model.matchCount).toBe(BIG / 10);
    model.setLevels(new Set<LevelChoice>(['error']));
    expect(model.matchCount).toBe(0);
    model.setLevels(new Set<LevelChoice>(['warn']));
    expect(model.matchCount).toBe(BIG / 10);
    const first = model.step(1, 0) as number;
    expect(entryText(model.entry(first) as LogEntry)).toBe('a line 7');
    expect(model.currentMatch()?.index).toBe(0);
    const second = model.step(1, 0) as number;
    expect(entryText(model.entry(second) as LogEntry)).toBe('a line 17');
    model.step(-1, 0);
    const wrapped = model.step(-1, 0) as number;
    expect(entryText(model.entry(wrapped) as LogEntry)).toBe(`a line ${BIG - 3}`);
    expect(model.currentMatch()?.index).toBe(BIG / 10 - 1);
  });

  it('starts stepping from the top of the view when no match was chosen yet', () => {
    const model = new LogModel(1000);
    model.append('a', lines(100, 0, 1, 'a'));
    model.setSearch(search('line \\d*5$', { regex: true }));
    const at = model.step(1, 50) as number;
    expect(entryText(model.entry(at) as LogEntry)).toBe('a line 55');
    model.setSearch(null);
    model.setSearch(search('line \\d*5$', { regex: true }));
    const back = model.step(-1, 50) as number;
    expect(entryText(model.entry(back) as LogEntry)).toBe('a line 45');
    expect(model.step(1, 0)).not.toBeNull();
    model.setSearch(null);
    expect(model.step(1, 0)).toBeNull();
  });

  it('keeps the counts of an incremental search equal to searching everything afresh', () => {
    const live = new LogModel(50_000);
    live.setSearch(search('line \\d*3$', { regex: true }));
    live.setLevels(new Set<LevelChoice>(['info', 'warn', 'none']));
    const fresh = new LogModel(50_000);
    // Two sources, live lines of B older than A's tail now and then, a bound that drops lines.
    for (let i = 0; i < 40; i++) {
      const a = lines(2000, i * 4000, 2, 'a', i * 2000);
      const b = lines(1500, i * 4000 - 1500, 3, 'b', i * 1500);
      for (const m of [live, fresh]) {
        m.append('a', a);
        m.append('b', b);
      }
    }
    fresh.setSearch(search('line \\d*3$', { regex: true }));
    fresh.setLevels(new Set<LevelChoice>(['info', 'warn', 'none']));
    expect(live.count).toBe(fresh.count);
    expect(ids(live.shownEntries())).toEqual(ids(fresh.shownEntries()));
    expect(live.matchCount).toBe(fresh.matchCount);
    expect(live.matchCount).toBeGreaterThan(0);
    expect(sortedByTime(live.shownEntries())).toBe(true);
    expect(sourceOrderKept(live.shownEntries())).toBe(true);
  });

  it('gives the ranges to highlight, skipping empty matches', () => {
    expect(matchRanges('error and Error', /error/i)).toEqual([
      [0, 5],
      [10, 15],
    ]);
    expect(matchRanges('abc', /x*/)).toEqual([]);
  });
});

describe('clear, the bound and sources', () => {
  it('clears what came before; later lines are shown, their continuation lines start afresh', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 1, 'Traceback (most recent call last):', { level: 'error' })]);
    model.setSearch(search('x'));
    model.clear();
    expect(model.count).toBe(0);
    expect(model.matchCount).toBe(0);
    expect(model.linesOf('a')).toBe(0);
    model.append('a', [line(1, 2, '  File "x.py"', { cont: true }), line(2, 3, 'after')]);
    expect(model.shownEntries().map(entryText)).toEqual(['  File "x.py"', 'after']);
  });

  it('keeps at most the bound per source, dropping the oldest, across 200k lines', () => {
    const model = new LogModel(100_000);
    inBatches(model, 'a', lines(BIG, 0, 1, 'a'), 250);
    expect(model.linesOf('a')).toBeLessThanOrEqual(100_000);
    expect(model.linesOf('a')).toBeGreaterThanOrEqual(98_000);
    expect(model.count).toBe(model.linesOf('a'));
    // The newest line is there; the oldest went.
    expect(entryText(model.entry(model.count - 1) as LogEntry)).toBe(`a line ${BIG - 1}`);
    expect(entryText(model.entry(0) as LogEntry)).not.toBe('a line 0');
    expect(sortedByTime(model.shownEntries())).toBe(true);
  });

  it('bounds each source on its own, counting continuation lines', () => {
    const model = new LogModel(1000);
    model.append('quiet', lines(10, 0, 1, 'q'));
    for (let i = 0; i < 100; i++) {
      model.append('busy', [
        line(i * 3, i, `entry ${i}`, { level: 'error' }),
        line(i * 3 + 1, i, '  more', { cont: true }),
        line(i * 3 + 2, i, '  more', { cont: true }),
      ]);
    }
    for (let i = 100; i < 500; i++) model.append('busy', [line(1000 + i, i, `entry ${i}`)]);
    expect(model.linesOf('quiet')).toBe(10);
    expect(model.linesOf('busy')).toBeLessThanOrEqual(1000);
    model.setLimit(200);
    expect(model.linesOf('busy')).toBeLessThanOrEqual(200);
    expect(model.linesOf('quiet')).toBe(10);
  });

  it('forgets the current match when the bound drops it', () => {
    const model = new LogModel(100);
    model.append('a', lines(10, 0, 1, 'a'));
    model.setSearch(search('a line 0'));
    model.step(1, 0);
    expect(model.currentMatch()).not.toBeNull();
    model.append('a', lines(200, 100, 1, 'a', 10));
    expect(model.currentMatch()).toBeNull();
  });

  it("removes a source's entries when it is no longer viewed", () => {
    const model = new LogModel(1000);
    model.append('a', lines(5, 0, 2, 'a'));
    model.append('b', lines(5, 1, 2, 'b'));
    model.removeSource('b');
    expect(model.count).toBe(5);
    expect(model.shownEntries().every((e) => e.source === 'a')).toBe(true);
    expect(model.linesOf('b')).toBe(0);
  });

  it("shows main's dropped lines as a mark", () => {
    const model = new LogModel(1000);
    model.append('a', lines(2, 10, 1, 'a'));
    model.noteDropped('a', 1234);
    model.noteDropped('a', 0);
    const last = model.entry(model.count - 1) as LogEntry;
    expect(last.mark).toBe('dropped');
    expect(entryText(last)).toBe('1234');
    expect(model.count).toBe(3);
  });

  it('counts the entries shown since a moment, for the paused view', () => {
    const model = new LogModel(1000);
    model.append('a', lines(10, 0, 1, 'a'));
    const at = model.shownAdded;
    model.setLevels(new Set<LevelChoice>(['error']));
    model.append('a', lines(10, 10, 1, 'a', 10));
    expect(model.shownAdded - at).toBe(2);
  });

  it('changes its version with every change', () => {
    const model = new LogModel(1000);
    const v = model.version;
    model.append('a', lines(1, 0, 1, 'a'));
    expect(model.version).toBeGreaterThan(v);
  });
});

describe('opening at a line', () => {
  it('finds the line by source, time and text, also inside an entry and with escapes', () => {
    const model = new LogModel(1000);
    model.append('service:plugin_daemon', [
      line(0, 100, 'same time, other text'),
      line(1, 100, '\u001b[31m[ERROR]\u001b[0m plugin crashed', { level: 'error' }),
      line(2, 100, '  detail', { cont: true }),
      line(3, 200, 'later'),
    ]);
    const found = model.locate('service:plugin_daemon', 100, '[ERROR] plugin crashed');
    expect(found && entryText(found.entry)).toBe('[ERROR] plugin crashed\n  detail');
    expect(found?.line).toBe(0);
    expect(model.locate('service:plugin_daemon', 100, '  detail')?.line).toBe(1);
  });

  it('falls back to a line at that time, then to the nearest, and to null for a source not open', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 100, 'one'), line(1, 300, 'two')]);
    expect(model.locate('a', 100, 'gone by now')?.entry.lines[0]?.text).toBe('one');
    expect(model.locate('a', 290, 'x')?.entry.lines[0]?.text).toBe('two');
    expect(model.locate('b', 100, 'one')).toBeNull();
  });
});

describe('follow-tail', () => {
  it('pauses when the user scrolls up, counts what arrives, and follows again at the bottom', () => {
    let s = FOLLOWING;
    s = scrolled(s, { distance: 0, byUser: true }, 10);
    expect(s).toBe(FOLLOWING);
    s = scrolled(s, { distance: 400, byUser: true }, 10);
    expect(s.following).toBe(false);
    expect(newSincePause(s, 25)).toBe(15);
    s = scrolled(s, { distance: 300, byUser: true }, 30);
    expect(newSincePause(s, 30)).toBe(20);
    s = scrolled(s, { distance: 4, byUser: true }, 30);
    expect(s.following).toBe(true);
    expect(newSincePause(s, 99)).toBe(0);
  });

  it('neither pauses nor resumes when the list moved by itself', () => {
    expect(scrolled(FOLLOWING, { distance: 400, byUser: false }, 10)).toBe(FOLLOWING);
    const jumped = paused(FOLLOWING, 10);
    expect(scrolled(jumped, { distance: 0, byUser: false }, 12)).toBe(jumped);
  });

  it('pauses for a jump the user asked for, keeping the count from then', () => {
    const s = paused(FOLLOWING, 7);
    expect(s).toEqual({ following: false, pausedAt: 7 });
    expect(paused(s, 50)).toBe(s);
  });
});

describe('ANSI', () => {
  it('strips escapes for search and export, leaving plain lines as they are', () => {
    const plain = 'no escapes';
    expect(plainText(plain)).toBe(plain);
    expect(plainText('\u001b[1;31mred\u001b[0m \u001b]0;title\u0007text\u001b[2K')).toBe('red text');
  });

  it('turns colours into classes, and the 256-colour and 24-bit ones into computed colours', () => {
    expect(ansiTokens('plain')).toEqual([{ text: 'plain', className: '', color: null, background: null }]);
    const tokens = ansiTokens('\u001b[31;1mred\u001b[0m \u001b[38;5;196mpal\u001b[48;2;1;2;3mtc');
    expect(tokens.map((t) => t.text)).toEqual(['red', ' ', 'pal', 'tc']);
    expect(tokens[0]?.className).toBe('ansi-red-fg ansi-bold');
    expect(tokens[1]?.className).toBe('');
    expect(tokens[2]?.color).toBe('rgb(255, 0, 0)');
    expect(tokens[3]?.background).toBe('rgb(1, 2, 3)');
  });

  it("computes xterm's palette: the cube and the greys", () => {
    expect(paletteRgb(16)).toBe('rgb(0, 0, 0)');
    expect(paletteRgb(231)).toBe('rgb(255, 255, 255)');
    expect(paletteRgb(232)).toBe('rgb(8, 8, 8)');
    expect(paletteRgb(255)).toBe('rgb(238, 238, 238)');
  });
});
