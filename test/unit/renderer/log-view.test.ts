import { describe, expect, it } from 'vitest';
import type { JobSnapshotDto, LogLine } from '../../../electron/contract';
import {
  colourSlots,
  folderName,
  jobLogSources,
  SOURCE_COLOURS,
  sourceKey,
} from '../../../renderer/src/lib/log-sources';
import { BLOCK, BlockLayout, LINE_PX, MARK_PX } from '../../../renderer/src/pages/logs/block-layout';
import {
  clockTime,
  exportName,
  shownText,
  sizeText,
  stampTime,
} from '../../../renderer/src/pages/logs/log-format';
import { LogModel, plainLine, type LogEntry } from '../../../renderer/src/pages/logs/log-model';
import { LOG_BUFFER_LINES, logBufferLinesOf } from '../../../renderer/src/pages/settings/log-settings';
import { SettingsPatchSchema } from '../../../electron/settings/schema';

function line(seq: number, at: number | null, text: string, over: Partial<LogLine> = {}): LogLine {
  return { seq, at, stream: 'out', text, level: null, cont: false, ...over };
}

function job(over: Partial<JobSnapshotDto>): JobSnapshotDto {
  return {
    id: 'j1',
    kind: 'stack.start',
    resource: 'project:docker',
    state: 'failed',
    step: null,
    progress: null,
    outputLines: 0,
    error: null,
    createdAt: 1,
    startedAt: 1,
    finishedAt: 2,
    ...over,
  };
}

describe('log sources', () => {
  it('keys sources the way main does', () => {
    expect(sourceKey({ kind: 'service', service: 'plugin_daemon' })).toBe('service:plugin_daemon');
    expect(sourceKey({ kind: 'ollama' })).toBe('ollama');
    expect(sourceKey({ kind: 'a1111' })).toBe('a1111');
    expect(sourceKey({ kind: 'plugin', folder: 'C:\\dev\\my tool' })).toBe('plugin:C:\\dev\\my tool');
  });

  it('names a plugin folder by its last part, Windows or POSIX', () => {
    expect(folderName('C:\\dev\\my_tool\\')).toBe('my_tool');
    expect(folderName('/home/me/plugins/draw')).toBe('draw');
    expect(folderName('draw')).toBe('draw');
  });

  it('opens the services a failed job names in its error or its last step', () => {
    const exited = job({
      error: { code: 'SERVICE_EXITED', message: 'api exited', params: { service: 'api', exitCode: 1 } },
    });
    expect(jobLogSources(exited)).toEqual([{ kind: 'service', service: 'api' }]);
    const apply = job({
      kind: 'timeouts.apply',
      error: {
        code: 'ENV_APPLY_FAILED_ROLLED_BACK',
        message: 'rolled back',
        params: { files: '.env', services: 'api, worker, plugin_daemon' },
      },
    });
    expect(jobLogSources(apply).map(sourceKey)).toEqual([
      'service:api',
      'service:worker',
      'service:plugin_daemon',
    ]);
    const step = job({ step: { key: 'stack.steps.restartingService', params: { service: 'nginx' } } });
    expect(jobLogSources(step)).toEqual([{ kind: 'service', service: 'nginx' }]);
  });

  it("opens Ollama's or A1111's log for their own start, and the plugin daemon's otherwise", () => {
    expect(jobLogSources(job({ step: { key: 'processes.steps.ollamaStarting' } }))).toEqual([
      { kind: 'ollama' },
    ]);
    expect(jobLogSources(job({ step: { key: 'processes.steps.a1111Phase.loading' } }))).toEqual([
      { kind: 'a1111' },
    ]);
    const reinstall = job({
      kind: 'plugins.reinstall',
      error: { code: 'DIFY_HTTP_ERROR', message: 'install failed' },
    });
    expect(jobLogSources(reinstall)).toEqual([{ kind: 'service', service: 'plugin_daemon' }]);
  });

  it('ignores a parameter that is no service name', () => {
    const odd = job({ error: { code: 'X', message: 'x', params: { services: 'api, ../etc, ' } } });
    expect(jobLogSources(odd)).toEqual([{ kind: 'service', service: 'api' }]);
  });

  it('keeps a colour while its source stays chosen, and gives new ones the lowest free', () => {
    const first = colourSlots(new Map(), ['a', 'b', 'c']);
    expect([...first.entries()]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const next = colourSlots(first, ['c', 'd']);
    expect(next.get('c')).toBe(2);
    expect(next.get('d')).toBe(0);
    const many = colourSlots(
      new Map(),
      Array.from({ length: SOURCE_COLOURS + 2 }, (_, i) => `s${i}`),
    );
    expect(new Set(many.values()).size).toBe(SOURCE_COLOURS);
  });
});

describe('shown text', () => {
  const at = new Date(2026, 11, 3, 15, 45, 5, 472).getTime();

  it('writes times the way the rows and an exported file show them', () => {
    expect(clockTime(at)).toBe('15:45:05.472');
    expect(stampTime(at)).toBe('2026-12-03 15:45:05.472');
  });

  it('writes each line of an entry, with times and sources when asked, and marks as separators', () => {
    const model = new LogModel(1000);
    model.append('service:plugin_daemon', [
      line(0, at, '\u001b[31mTraceback\u001b[0m (most recent call last):', { level: 'error' }),
      line(1, at + 1, '  File "x.py"', { cont: true }),
      line(2, null, 'abc123', { mark: 'recreated' }),
    ]);
    const options = {
      timestamps: false,
      sourceName: null,
      markText: (e: LogEntry) => `recreated (${plainLine(e, 0)})`,
    };
    expect(shownText(model.shownEntries(), options)).toBe(
      'Traceback (most recent call last):\n  File "x.py"\n--- recreated (abc123) ---\n',
    );
    const both = shownText(model.shownEntries(), {
      ...options,
      timestamps: true,
      sourceName: (key: string) => key.replace('service:', ''),
    });
    expect(both.split('\n')[1]).toBe('2026-12-03 15:45:05.473 [plugin_daemon]   File "x.py"');
    expect(shownText([], options)).toBe('');
  });

  it('names an export by its source and time, with no character a file system refuses', () => {
    expect(exportName(['plugin_daemon'], at)).toBe('plugin_daemon-20261203-154505.log');
    expect(exportName(['Plugin my:tool?'], at)).toBe('Plugin_my_tool_-20261203-154505.log');
    expect(exportName(['api', 'worker'], at)).toBe('logs-2-sources-20261203-154505.log');
  });

  it('gives sizes the way Explorer does', () => {
    expect(sizeText(820, 'en')).toBe('820 B');
    expect(sizeText(14_541, 'en')).toBe('14.2 KB');
    expect(sizeText(3_250_586, 'ja')).toBe('3.1 MB');
  });
});

describe('block layout', () => {
  it('sums heights per block, and keeps them right as entries are appended, grow and are dropped', () => {
    const model = new LogModel(100);
    const layout = new BlockLayout();
    model.append(
      'a',
      Array.from({ length: BLOCK + 3 }, (_, i) => line(i, i, `l${i}`)),
    );
    layout.update(model);
    expect(layout.blockCount).toBe(2);
    expect(layout.blockHeight(0)).toBe(BLOCK * LINE_PX);
    expect(layout.blockHeight(1)).toBe(3 * LINE_PX);
    // The last entry grows (a traceback's body), a mark arrives.
    model.append('a', [
      line(99, 30, '  more', { cont: true }),
      line(100, 31, 'c0ffee', { mark: 'recreated' }),
    ]);
    layout.update(model);
    expect(layout.blockHeight(1)).toBe(3 * LINE_PX + LINE_PX + MARK_PX);
    expect(layout.offsetInBlock(BLOCK + 2)).toBe(2 * LINE_PX);
    expect(layout.entryAt(1, 2 * LINE_PX + 1)).toBe(BLOCK + 2);
    expect(layout.range(1)).toEqual([BLOCK, BLOCK + 4]);
    // The bound drops the oldest: everything moves up.
    model.append(
      'a',
      Array.from({ length: 100 }, (_, i) => line(200 + i, 100 + i, `m${i}`)),
    );
    layout.update(model);
    let sum = 0;
    for (let b = 0; b < layout.blockCount; b++) sum += layout.blockHeight(b);
    const expected = model
      .shownEntries()
      .reduce((s, e) => s + (e.mark ? MARK_PX : e.lines.length * LINE_PX), 0);
    expect(sum).toBe(expected);
  });

  it('reports only what changed since the last look', () => {
    const model = new LogModel(1000);
    model.append('a', [line(0, 10, 'x'), line(1, 20, 'y')]);
    expect(model.takeChangedFrom()).toBe(0);
    expect(model.takeChangedFrom()).toBe(2);
    model.append('a', [line(2, 30, 'z')]);
    expect(model.takeChangedFrom()).toBe(2);
    model.append('b', [line(0, 15, 'older')]);
    expect(model.takeChangedFrom()).toBe(1);
  });
});

describe('the log viewer setting', () => {
  it("has the settings schema's bounds and takes numbers as the hint writes them", () => {
    const accepts = (n: number) => SettingsPatchSchema.safeParse({ logBufferLines: n }).success;
    const { min, max } = LOG_BUFFER_LINES;
    expect([min - 1, min, max, max + 1].map(accepts)).toEqual([false, true, true, false]);
    expect(logBufferLinesOf('100000')).toBe(100_000);
    expect(logBufferLinesOf(' 1,000,000 ')).toBe(1_000_000);
    expect(logBufferLinesOf('1,000')).toBe(1_000);
    expect(logBufferLinesOf('999')).toBeNull();
    expect(logBufferLinesOf('1000001')).toBeNull();
    expect(logBufferLinesOf('10,00')).toBeNull();
    expect(logBufferLinesOf('1e5')).toBeNull();
  });
});
