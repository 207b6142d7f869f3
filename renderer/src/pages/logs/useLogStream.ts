import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { ErrorInfo, LogSource } from '../../../../electron/contract';
import { subscribe, type TopicBatch } from '../../api';
import { sourceKey } from '../../lib/log-sources';
import { LogModel, type LevelChoice } from './log-model';

export interface LogStream {
  model: LogModel;
  /** The model's version as of the last render: what the list compares to draw again. */
  version: number;
  /** Refused subscriptions, by source key. */
  errors: ReadonlyMap<string, ErrorInfo>;
  /** Sources whose stream main ended (they send nothing more until opened again). */
  ended: ReadonlySet<string>;
  /** Runs `onFlush` at the next frame even if no line arrives (a request for a line already held). */
  nudge(): void;
}

/**
 * The chosen sources' `log-lines` streams, merged into one LogModel for the page's life. Each source
 * is subscribed once (adding a source does not fetch the others again; removing one closes its
 * stream and drops its lines). Batches are applied once per animation frame, however many arrived
 * since the last one, so a source printing thousands of lines a second costs one render a frame at
 * most. `onFlush` runs after each application (the page finds a requested line then). The model
 * starts with `initialLevels` as its filter; later changes go to the model directly.
 */
export function useLogStream(
  sources: readonly LogSource[],
  limit: number,
  initialLevels: ReadonlySet<LevelChoice>,
  onFlush: (model: LogModel) => void,
): LogStream {
  const [model] = useState(() => new LogModel(limit, initialLevels));
  const [version, setVersion] = useState(model.version);
  const [errors, setErrors] = useState<ReadonlyMap<string, ErrorInfo>>(new Map());
  const [ended, setEnded] = useState<ReadonlySet<string>>(new Set());
  const pending = useRef<Array<{ key: string; batch: TopicBatch<'log-lines'> }>>([]);
  const frame = useRef<number | null>(null);
  const open = useRef(new Map<string, () => void>());
  const latestFlush = useRef(onFlush);
  useEffect(() => {
    latestFlush.current = onFlush;
  });

  // A new bound from the settings applies to what is held now.
  useEffect(() => {
    model.setLimit(limit);
    const raf = requestAnimationFrame(() => setVersion(model.version));
    return () => cancelAnimationFrame(raf);
  }, [model, limit]);

  const flush = useCallback(() => {
    frame.current = null;
    const batches = pending.current;
    pending.current = [];
    for (const { key, batch } of batches) {
      if (!open.current.has(key)) continue;
      model.noteDropped(key, batch.dropped);
      model.append(key, batch.items);
    }
    latestFlush.current(model);
    // Rendered and committed within this frame's callback: the commit's one layout is the frame's
    // layout, instead of a later task laying out again what the frame already laid out.
    flushSync(() => setVersion(model.version));
  }, [model]);
  const nudge = useCallback(() => {
    frame.current ??= requestAnimationFrame(flush);
  }, [flush]);

  const wanted = JSON.stringify(sources);
  useEffect(() => {
    const want = new Map((JSON.parse(wanted) as LogSource[]).map((s) => [sourceKey(s), s]));
    for (const [key, stop] of open.current) {
      if (want.has(key)) continue;
      stop();
      open.current.delete(key);
      model.removeSource(key);
    }
    for (const [key, source] of want) {
      if (open.current.has(key)) continue;
      const stop = subscribe(
        'log-lines',
        // Everything main keeps for the source: the view holds as much as main's ring.
        { source, tail: limit },
        (batch) => {
          pending.current.push({ key, batch });
          if (batch.ended) setEnded((s) => new Set(s).add(key));
          frame.current ??= requestAnimationFrame(flush);
        },
        (e) => setErrors((m) => new Map(m).set(key, e.toInfo())),
      );
      open.current.set(key, stop);
    }
    frame.current ??= requestAnimationFrame(flush);
    // `limit` is read when a source opens; a later change goes through setLimit above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, wanted, flush]);

  // Closing the page closes every stream (main stops reading a source nobody views).
  useEffect(() => {
    const streams = open.current;
    return () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
      for (const [key, stop] of streams) {
        stop();
        model.removeSource(key);
      }
      streams.clear();
    };
  }, [model]);

  return { model, version, errors, ended, nudge };
}
