import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { FOLLOWING, newSincePause, paused, scrolled, type FollowState } from './follow';
import type { LogEntry, LogModel } from './log-model';
import { LogRow, type RowLook } from './LogRow';
import { BLOCK, BlockLayout, rowHeight } from './block-layout';
import './LogList.css';

/** A place the page wants shown: a search match or a requested line. `n` makes each request new. */
export interface Jump {
  index: number;
  n: number;
}

export interface ListLook {
  timestamps: boolean;
  wrap: boolean;
  /** Source names before rows (several sources shown), else null. */
  sourceName: ((key: string) => string) | null;
  colours: ReadonlyMap<string, number>;
  markText: (entry: LogEntry) => string;
  /** The requested line (`logs:open` with `at`), highlighted until another is requested. */
  target: { entry: LogEntry; line: number } | null;
}

/** Where entry `index` starts in the list (px): its block's start and the rows above it in the block. */
function entryTop(
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  layout: BlockLayout,
  index: number,
): number | null {
  const block = virtualizer.measurementsCache[Math.floor(index / BLOCK)];
  return block ? block.start + layout.offsetInBlock(index) : null;
}

/** How long after a wheel, key or touch a scroll still counts as the user's (ms). */
const USER_SCROLL_MS = 700;

/**
 * The shown entries as a virtual list (@tanstack/react-virtual): only the rows in view (and a few
 * around) exist in the DOM; positions are written by the virtualizer directly, so scrolling renders
 * nothing in React and a new batch renders only the rows that came into view. Without wrapping a
 * row's height is known from its line count; with wrapping rows are measured as they are drawn.
 * Follows the newest line until the user scrolls up (then "jump to newest (N new)").
 */
export function LogList({
  model,
  version,
  look,
  jump,
  topIndex,
  emptyText,
}: {
  model: LogModel;
  version: number;
  look: ListLook;
  jump: Jump | null;
  /** Where the list writes the first row in view: search steps start there. */
  topIndex: RefObject<number>;
  emptyText: string;
}) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState<FollowState>(FOLLOWING);
  const userInputAt = useRef(-Infinity);
  const pointerDown = useRef(false);
  const count = model.count;
  const wrap = look.wrap;
  const [layout] = useState(() => new BlockLayout());
  layout.update(model);

  // Keys are block indices (the default). A new key function per model version makes the virtualizer
  // lay out again when a block grows or changes without the number of blocks changing.
  const getItemKey = useCallback(
    (index: number) => index,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `version` is the point (see above)
    [version],
  );
  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler here: the list renders again on each model version
  const virtualizer = useVirtualizer({
    count: layout.blockCount,
    getScrollElement: () => scroller.current,
    estimateSize: (block) => layout.blockHeight(block),
    getItemKey,
    overscan: 0,
    directDomUpdates: true,
    // `top`, not a transform: a transform makes each block a compositor layer of its own, and layers
    // replaced every batch cost more to paint than the rows themselves.
    directDomUpdatesMode: 'position',
    // Unwrapped blocks have the height their line counts give: nothing to read from the DOM.
    measureElement: wrap ? undefined : (el) => layout.blockHeight(Number(el.getAttribute('data-index'))),
  });

  // Following: this render lays out the end of the list (where the layout effect below scrolls), so
  // the rows drawn are the newest, in one render. (The virtualizer's own follow-on-append issues a
  // scroll command it then re-checks every frame, reading the element's size — a forced layout in
  // every frame while lines keep coming.)
  if (follow.following && count > 0) {
    const end = Math.max(0, virtualizer.getTotalSize() - (virtualizer.scrollRect?.height ?? 0));
    virtualizer.scrollOffset = end;
  }

  // Measured sizes are kept per block: when entries change places (dropped, filtered, inserted before
  // others) or wrapping changes every row's height, they are forgotten and the blocks in view measured
  // again. Unwrapped, nothing was measured (the estimate is exact).
  const shifts = model.layoutShifts;
  useLayoutEffect(() => {
    if (!wrap && virtualizer.itemSizeCache.size === 0) return;
    virtualizer.measure();
    if (!wrap) return;
    scroller.current
      ?.querySelectorAll<HTMLElement>('[data-index]')
      .forEach((el) => virtualizer.measureElement(el));
  }, [virtualizer, wrap, shifts]);

  // Following: the newest line stays in view after every batch (and every re-measure). Paused: the
  // entry at the top of the view stays where it was, whatever was dropped or inserted above it.
  const anchor = useRef<{ entry: LogEntry; offset: number } | null>(null);
  const placed = useRef('');
  const total = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const el = scroller.current;
    // Once per change of what is shown or how tall it is (not on renders a scroll caused).
    const now = `${follow.following}|${version}|${total}`;
    if (!el || count === 0 || placed.current === now) return;
    placed.current = now;
    if (follow.following) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    const held = anchor.current;
    const index = held ? model.indexOf(held.entry) : -1;
    const top = index >= 0 ? entryTop(virtualizer, layout, index) : null;
    const offset = virtualizer.scrollOffset ?? 0;
    if (held && top !== null && Math.abs(top + held.offset - offset) >= 1) el.scrollTop = top + held.offset;
  });

  // A jump the page asked for (a match, a requested line): in the middle of the view, following paused.
  const lastJump = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (!jump || jump.n === lastJump.current) return;
    lastJump.current = jump.n;
    setFollow((s) => paused(s, model.shownAdded));
    const top = entryTop(virtualizer, layout, jump.index);
    if (top === null) return;
    const view = virtualizer.scrollRect?.height ?? 0;
    const height = rowHeight(model.entry(jump.index));
    virtualizer.scrollToOffset(Math.max(0, top - (view - Math.min(height, view)) / 2));
  }, [jump, model, virtualizer, layout]);

  /** The entry at the top of the view, and how far the view's top is below its top. */
  const topEntry = (offset: number) => {
    const item = virtualizer.getVirtualItemForOffset(offset);
    if (!item) return null;
    const index = layout.entryAt(item.index, offset - item.start);
    const entry = model.entry(index);
    return entry ? { index, entry, offset: offset - item.start - layout.offsetInBlock(index) } : null;
  };

  // The first row in view: where search steps start, and what a paused view keeps in place.
  // (The virtualizer's own offset, not the element's: reading scrollTop here would force a layout.)
  useLayoutEffect(() => {
    const top = topEntry(virtualizer.scrollOffset ?? 0);
    topIndex.current = top?.index ?? 0;
    anchor.current = top;
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const top = topEntry(el.scrollTop);
    topIndex.current = top?.index ?? 0;
    anchor.current = top;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    const byUser = pointerDown.current || performance.now() - userInputAt.current < USER_SCROLL_MS;
    setFollow((s) => scrolled(s, { distance, byUser }, model.shownAdded));
  };
  const noteUser = () => {
    userInputAt.current = performance.now();
  };
  const fresh = newSincePause(follow, model.shownAdded);
  const stderrLabel = t('logs.list.stderr');
  const search = model.searchPattern;
  const current = model.currentMatch()?.entry ?? null;

  return (
    <div className="log-list-box">
      <div
        ref={scroller}
        className={wrap ? 'log-list log-list--wrap' : 'log-list'}
        tabIndex={0}
        role="region"
        aria-label={t('logs.list.label')}
        data-following={follow.following}
        onScroll={onScroll}
        onWheel={noteUser}
        onKeyDown={noteUser}
        onTouchStart={noteUser}
        onPointerDown={() => {
          pointerDown.current = true;
        }}
        onPointerUp={() => {
          pointerDown.current = false;
          noteUser();
        }}
      >
        {count === 0 ? <p className="log-list__empty muted">{emptyText}</p> : null}
        <div ref={virtualizer.containerRef} className="log-list__body" role="list">
          {virtualizer.getVirtualItems().map((item) => {
            const [first, end] = layout.range(item.index);
            const rows = [];
            for (let i = first; i < end; i++) {
              const entry = model.entry(i);
              if (!entry) continue;
              const rowLook: RowLook = {
                timestamps: look.timestamps,
                sourceName: look.sourceName ? look.sourceName(entry.source) : null,
                colour: look.colours.get(entry.source),
                search: search && model.isMatch(entry) ? search : null,
                current: entry === current,
                targetLine: look.target?.entry === entry ? look.target.line : null,
                markText: entry.mark ? look.markText(entry) : null,
                stderrLabel,
              };
              rows.push(
                <LogRow key={entry.id} entry={entry} lineCount={entry.lines.length} look={rowLook} />,
              );
            }
            return (
              <div
                key={item.key}
                className="log-list__block"
                role="presentation"
                data-index={item.index}
                ref={virtualizer.measureElement}
              >
                {rows}
              </div>
            );
          })}
        </div>
      </div>
      {follow.following ? null : (
        <button
          type="button"
          className="button log-list__jump"
          data-new={fresh}
          onClick={() => setFollow(FOLLOWING)}
        >
          <Icon name="down" />
          {fresh > 0 ? t('logs.view.jumpNew', { count: fresh }) : t('logs.view.jump')}
        </button>
      )}
    </div>
  );
}
