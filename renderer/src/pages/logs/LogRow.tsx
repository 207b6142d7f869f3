import type { LogLine } from '../../../../electron/contract';
import { memo, type ReactNode } from 'react';
import { ansiTokens, type AnsiToken } from './ansi';
import { clockTime } from './log-format';
import { matchRanges, type LogEntry } from './log-model';

/**
 * Tokens per line, parsed the first time the line is drawn and kept while the line lives (the map
 * holds lines weakly): scrolling back over a line does not parse it again, and lines never drawn
 * are never parsed.
 */
const tokensOf = new WeakMap<LogLine, AnsiToken[]>();
function tokens(line: LogLine): AnsiToken[] {
  let held = tokensOf.get(line);
  if (!held) {
    held = ansiTokens(line.text);
    tokensOf.set(line, held);
  }
  return held;
}

function Token({ token, children }: { token: AnsiToken; children: ReactNode }) {
  if (!token.className && token.color === null && token.background === null) return <>{children}</>;
  const style =
    token.color !== null || token.background !== null
      ? { color: token.color ?? undefined, backgroundColor: token.background ?? undefined }
      : undefined;
  return (
    <span className={token.className || undefined} style={style}>
      {children}
    </span>
  );
}

/** The line's tokens with the search's hits marked; a hit may span tokens (colour changes inside it). */
function LineText({ line, search }: { line: LogLine; search: RegExp | null }) {
  const parts = tokens(line);
  const plain = parts.map((p) => p.text).join('');
  const ranges = search ? matchRanges(plain, search) : [];
  if (ranges.length === 0) {
    return (
      <>
        {parts.map((p, i) => (
          <Token key={i} token={p}>
            {p.text}
          </Token>
        ))}
      </>
    );
  }
  const out: ReactNode[] = [];
  let offset = 0;
  let r = 0;
  parts.forEach((part, i) => {
    const end = offset + part.text.length;
    let at = offset;
    const pieces: ReactNode[] = [];
    while (at < end) {
      while (r < ranges.length && (ranges[r] as [number, number])[1] <= at) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        pieces.push(part.text.slice(at - offset));
        break;
      }
      if (range[0] > at) {
        pieces.push(part.text.slice(at - offset, range[0] - offset));
        at = range[0];
      }
      const stop = Math.min(range[1], end);
      pieces.push(
        <mark key={at} className="log-hit">
          {part.text.slice(at - offset, stop - offset)}
        </mark>,
      );
      at = stop;
    }
    out.push(
      <Token key={i} token={part}>
        {pieces}
      </Token>,
    );
    offset = end;
  });
  return <>{out}</>;
}

export interface RowLook {
  timestamps: boolean;
  /** The source's name before its rows (several sources shown); null with one. */
  sourceName: string | null;
  colour: number | undefined;
  /** The search's pattern when this entry matches it (its hits are marked), else null. */
  search: RegExp | null;
  current: boolean;
  /** The requested line within this entry (`logs:open` with `at`), or null. */
  targetLine: number | null;
  markText: string | null;
  stderrLabel: string;
}

/**
 * One entry: its first line and its continuation lines (a traceback), with the time, the source and
 * stderr marked; a mark is a separator. Drawn again only when its look or its line count changes.
 */
export const LogRow = memo(LogRowView, (a, b) => {
  if (a.entry !== b.entry || a.lineCount !== b.lineCount) return false;
  const keys = Object.keys(a.look) as Array<keyof RowLook>;
  return keys.every((k) => Object.is(a.look[k], b.look[k]));
});

function LogRowView({
  entry,
  lineCount,
  look,
}: {
  entry: LogEntry;
  /** The entry's lines now: an open entry grows while its traceback arrives. */
  lineCount: number;
  look: RowLook;
}) {
  if (entry.mark) {
    return (
      <div className="log-mark" data-mark={entry.mark} role="listitem">
        <span className="log-mark__text">
          {look.sourceName ? `${look.sourceName}: ` : ''}
          {look.markText}
        </span>
      </div>
    );
  }
  const lines = entry.lines.slice(0, lineCount);
  return (
    <div
      className={[
        'log-entry',
        look.colour !== undefined ? `log-src-${look.colour}` : '',
        entry.level ? `log-entry--${entry.level}` : '',
        look.current ? 'log-entry--current' : '',
        look.targetLine !== null ? 'log-entry--target' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      role="listitem"
      data-level={entry.level ?? 'none'}
      data-stream={entry.stream}
      data-source={entry.source}
      data-lines={lineCount}
    >
      {lines.map((line, i) => (
        // Few elements per line: at thousands of lines a second, every row drawn is a new one, and
        // layout cost grows with elements. The stderr mark is the text's ::before (LogList.css).
        <div
          key={i}
          className={i === look.targetLine ? 'log-line log-line--target' : 'log-line'}
          data-err={line.stream === 'err' ? '' : undefined}
          data-target={i === look.targetLine ? '' : undefined}
          title={line.stream === 'err' ? look.stderrLabel : undefined}
        >
          {look.timestamps ? (
            <span className="log-line__time">{line.at === null ? '' : clockTime(line.at)}</span>
          ) : null}
          {look.sourceName !== null ? (
            <span className="log-line__source">{i === 0 ? look.sourceName : ''}</span>
          ) : null}
          <span className="log-line__text">
            <LineText line={line} search={look.search} />
          </span>
        </div>
      ))}
    </div>
  );
}
