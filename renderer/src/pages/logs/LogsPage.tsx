import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  LogsOpenRequest,
  LogSource,
  LogSourceInfo,
  StatusSnapshot,
} from '../../../../electron/contract';
import { invoke } from '../../api';
import { ErrorBox } from '../../components/ErrorBox';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { usePendingAction } from '../../hooks/usePendingAction';
import { useQuery } from '../../hooks/useQuery';
import { colourSlots, PLUGIN_DAEMON, sourceKey } from '../../lib/log-sources';
import type { PageProps } from '../page-types';
import { exportName, shownText, sizeText } from './log-format';
import {
  compileSearch,
  LEVEL_CHOICES,
  plainLine,
  type LevelChoice,
  type LogEntry,
  type LogModel,
  type SearchQuery,
} from './log-model';
import { LogList, type Jump } from './LogList';
import { LogToolbar, type ViewOptions } from './LogToolbar';
import { SourcePicker } from './SourcePicker';
import { useSourceName } from './source-names';
import { useLogStream } from './useLogStream';
import { viewMemory } from './view-memory';
import './LogsPage.css';

const NO_SOURCES: LogSourceInfo[] = [];

/** The plugin daemon when the project has one: what the viewer shows unless told otherwise. */
function defaultChoice(available: readonly LogSourceInfo[]): LogSource[] {
  const daemon = available.find((a) => a.source.kind === 'service' && a.source.service === PLUGIN_DAEMON);
  return daemon ? [daemon.source] : [];
}

/** What makes the source list worth asking for again: services and programs coming and going. */
function sourcesKey(snapshot: StatusSnapshot): string {
  return JSON.stringify(
    snapshot.components.map((c) => [c.id, c.state, c.services?.map((s) => [s.name, s.state]) ?? null]),
  );
}

type Status =
  | { kind: 'copied'; lines: number }
  | { kind: 'selection' }
  | { kind: 'exported'; path: string; bytes: number }
  | { kind: 'cancelled' };

/**
 * The logs of the stack: the plugin daemon's by default, any compose service's, Ollama's, A1111's, a
 * plugin's debug run; several merged by time and coloured by source; live, searchable, filtered by
 * level; copied or exported as shown. Opened from the nav, or with a request (a service row, a card,
 * a failed job, the error badge, the tray) naming the sources and possibly the line to show.
 */
export function LogsPage({
  snapshot,
  settingsView,
  logsRequest,
}: PageProps<'snapshot' | 'settingsView' | 'logsRequest'>) {
  const { t, i18n } = useTranslation();
  const nameOf = useSourceName();
  const limit = settingsView.settings.logBufferLines;

  // A request not applied yet wins over what the page remembers.
  const fresh = logsRequest && logsRequest.n > viewMemory.appliedRequest ? logsRequest : null;
  const [request, setRequest] = useState<{ n: number; at: LogsOpenRequest['at'] } | null>(
    fresh ? { n: fresh.n, at: fresh.request.at } : null,
  );
  const [chosen, setChosen] = useState<LogSource[] | null>(fresh ? fresh.request.sources : viewMemory.chosen);
  if (logsRequest && logsRequest.n !== request?.n && logsRequest.n > viewMemory.appliedRequest) {
    // Another request while the page is open (the tray, the badge): its sources and its line.
    setRequest({ n: logsRequest.n, at: logsRequest.request.at });
    setChosen(logsRequest.request.sources);
  }

  const { data: listed, error: sourcesError } = useQuery(
    () => invoke('logs:sources', {}),
    [sourcesKey(snapshot)],
  );
  const available = listed ?? NO_SOURCES;
  const sources = useMemo(() => chosen ?? defaultChoice(available), [chosen, available]);
  const keys = sources.map(sourceKey);

  const [colours, setColours] = useState<{ for: string; map: ReadonlyMap<string, number> }>({
    for: '',
    map: new Map(),
  });
  if (colours.for !== keys.join('\n'))
    setColours({ for: keys.join('\n'), map: colourSlots(colours.map, keys) });

  const [query, setQuery] = useState<SearchQuery>({ text: '', regex: false, caseSensitive: false });
  const [searchError, setSearchError] = useState<string | null>(null);
  const [levels, setLevelsState] = useState<ReadonlySet<LevelChoice>>(viewMemory.levels);
  const [options, setOptionsState] = useState<ViewOptions>(viewMemory.options);
  const [jump, setJump] = useState<Jump | null>(null);
  const [target, setTarget] = useState<{ n: number; entry: LogEntry; line: number } | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const { pending, actionError, dismissError, run } = usePendingAction();
  const topIndex = useRef(0);

  const requestJump = useCallback((index: number) => setJump((j) => ({ index, n: (j?.n ?? 0) + 1 })), []);

  // After each batch: the requested line, once its source has lines.
  const onFlush = useCallback(
    (model: LogModel) => {
      if (!request?.at || target?.n === request.n) return;
      const found = model.locate(request.at.key, request.at.at, request.at.text);
      if (!found) return;
      if (model.indexOf(found.entry) === -1) {
        // The level filter hides it: the user asked for this line, so every level is shown.
        model.setLevels(new Set(LEVEL_CHOICES));
        setLevelsState(new Set(LEVEL_CHOICES));
      }
      setTarget({ n: request.n, ...found });
      requestJump(model.indexOf(found.entry));
    },
    [request, target, requestJump],
  );
  const { model, errors, ended, nudge } = useLogStream(sources, limit, levels, onFlush);
  // A request for a line the page may already hold (the badge clicked with the log open, a quiet
  // daemon): looked for now, not only when the next line arrives.
  useEffect(() => {
    if (request?.at) nudge();
  }, [request, nudge]);
  // A request is applied once: coming back to the page later shows what the user chose since.
  useEffect(() => {
    if (!request || request.n <= viewMemory.appliedRequest) return;
    viewMemory.appliedRequest = request.n;
    viewMemory.chosen = chosen;
  }, [request, chosen]);

  // The toolbar and the picker are memoised and their handlers stable: lines arriving render the
  // page at every batch, and those need not render again.
  const toggleSource = useCallback(
    (source: LogSource, on: boolean) => {
      const key = sourceKey(source);
      const others = sources.filter((s) => sourceKey(s) !== key);
      const next = on ? [...others, source] : others;
      viewMemory.chosen = next;
      setChosen(next);
    },
    [sources],
  );
  const changeQuery = useCallback(
    (next: SearchQuery) => {
      setQuery(next);
      const compiled = compileSearch(next);
      setSearchError(compiled.error);
      model.setSearch(compiled.re);
    },
    [model],
  );
  const step = useCallback(
    (direction: 1 | -1) => {
      const index = model.step(direction, topIndex.current);
      if (index !== null && index >= 0) requestJump(index);
    },
    [model, requestJump],
  );
  const changeLevels = useCallback(
    (next: ReadonlySet<LevelChoice>) => {
      viewMemory.levels = next;
      setLevelsState(next);
      model.setLevels(next);
    },
    [model],
  );
  const changeOptions = useCallback((next: ViewOptions) => {
    viewMemory.options = next;
    setOptionsState(next);
  }, []);

  const byKey = useMemo(() => new Map(sources.map((s) => [sourceKey(s), s])), [sources]);
  const nameOfKey = useCallback(
    (key: string) => {
      const source = byKey.get(key);
      return source ? nameOf(source) : key;
    },
    [byKey, nameOf],
  );
  const markText = useCallback(
    (entry: LogEntry) => {
      const detail = plainLine(entry, 0);
      if (entry.mark === 'dropped') return t('logs.marks.dropped', { count: Number(detail) || 0 });
      const text = t(`logs.marks.${entry.mark ?? 'waiting'}`);
      return detail ? t('logs.marks.withDetail', { text, detail }) : text;
    },
    [t],
  );
  const several = sources.length > 1;
  const textShown = () =>
    shownText(model.shownEntries(), {
      timestamps: options.timestamps,
      sourceName: several ? nameOfKey : null,
      markText,
    });

  const copy = () =>
    run('copy', async () => {
      const selection = window.getSelection();
      const inList =
        selection &&
        !selection.isCollapsed &&
        document.querySelector('.log-list')?.contains(selection.anchorNode);
      if (inList) {
        await navigator.clipboard.writeText(selection.toString());
        setStatus({ kind: 'selection' });
        return;
      }
      const text = textShown();
      await navigator.clipboard.writeText(text);
      setStatus({ kind: 'copied', lines: text === '' ? 0 : text.split('\n').length - 1 });
    });
  const exportShown = () =>
    run('export', async () => {
      const content = textShown();
      const answer = await invoke('logs:export', {
        suggestedName: exportName(sources.map(nameOf), Date.now()),
        content,
      });
      setStatus(
        answer.path === null
          ? { kind: 'cancelled' }
          : { kind: 'exported', path: answer.path, bytes: answer.bytes },
      );
    });
  const clear = () => {
    model.clear();
    setTarget(null);
    setStatus(null);
    setJump(null);
  };

  const match = model.currentMatch();
  const matchCount = model.matchCount;
  const matchIndex = match ? match.index : null;
  const search = useMemo(
    () => ({ total: matchCount, current: matchIndex, error: searchError }),
    [matchCount, matchIndex, searchError],
  );
  const emptyText =
    sources.length === 0
      ? t('logs.sources.chooseHint')
      : model.held > 0
        ? t('logs.list.emptyFiltered')
        : t('logs.list.empty');

  return (
    <div className="logs-page">
      <PageHeader title={t('logs.page.title')}>
        <button
          type="button"
          className="button"
          disabled={pending !== null || model.count === 0}
          onClick={() => void copy()}
          title={t('logs.actions.copyHint')}
        >
          <Icon name="copy" />
          {t('logs.actions.copy')}
        </button>
        <button
          type="button"
          className="button"
          disabled={pending !== null || model.count === 0}
          onClick={() => void exportShown()}
        >
          <Icon name="save" />
          {t('logs.actions.export')}
        </button>
        <button
          type="button"
          className="button"
          disabled={model.count === 0}
          onClick={clear}
          title={t('logs.actions.clearHint')}
        >
          <Icon name="clear" />
          {t('logs.actions.clear')}
        </button>
      </PageHeader>

      <SourcePicker
        available={available}
        chosen={sources}
        colours={colours.map}
        ended={ended}
        onToggle={toggleSource}
      />
      {sourcesError ? <ErrorBox error={sourcesError} /> : null}
      {keys.map((key) => {
        const error = errors.get(key);
        return error ? <ErrorBox key={key} error={error} /> : null;
      })}
      {actionError ? <ErrorBox error={actionError} onDismiss={dismissError} /> : null}

      <LogToolbar
        query={query}
        search={search}
        levels={levels}
        options={options}
        onQuery={changeQuery}
        onStep={step}
        onLevels={changeLevels}
        onOptions={changeOptions}
      />

      <LogList
        model={model}
        version={model.version}
        look={{
          timestamps: options.timestamps,
          wrap: options.wrap,
          sourceName: several ? nameOfKey : null,
          colours: colours.map,
          markText,
          target: target ? { entry: target.entry, line: target.line } : null,
        }}
        jump={jump}
        topIndex={topIndex}
        emptyText={emptyText}
      />

      <p className="logs-status muted" role="status">
        <span data-shown={model.count} data-held-lines={model.lineCount}>
          {t('logs.status.shown', { count: model.count })}
        </span>
        {status ? (
          <span
            className="logs-status__note"
            data-path={status.kind === 'exported' ? status.path : undefined}
          >
            {statusText(status)}
          </span>
        ) : null}
      </p>
    </div>
  );

  function statusText(s: Status): string {
    switch (s.kind) {
      case 'copied':
        return t('logs.status.copied', { count: s.lines });
      case 'selection':
        return t('logs.status.copiedSelection');
      case 'exported':
        return t('logs.status.exported', { path: s.path, size: sizeText(s.bytes, i18n.language) });
      case 'cancelled':
        return t('logs.status.exportCancelled');
    }
  }
}
