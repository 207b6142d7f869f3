import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { gbOf, HISTORY_MS, type GpuHistory } from '../../lib/gpu';
import './HistoryChart.css';

const HEIGHT = 220;
const WINDOW_S = HISTORY_MS / 1000;

/** Canvas cannot read CSS variables: the tokens are looked up when the chart is made. */
function tokenColours(el: Element) {
  const style = getComputedStyle(el);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    vram: read('--accent'),
    util: read('--muted'),
    alert: read('--tone-bad'),
    axis: read('--muted'),
    grid: read('--border'),
  };
}

/** `#rrggbb` with an alpha, for the area under the VRAM line; other notations get no fill. */
function translucent(hex: string, alpha: number): string | undefined {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return undefined;
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * What the legend shows for a series: the value under the cursor, or with no cursor on the chart the
 * newest one (so it reads "now" instead of a row of dashes).
 */
function legendValue(format: (v: number) => string) {
  return (self: uPlot, raw: number | null, series: number, idx: number | null): string => {
    let v = raw;
    if (idx === null) {
      const column = self.data[series] ?? [];
      for (let i = column.length - 1; i >= 0 && v == null; i--) v = column[i] ?? null;
    }
    return v == null ? '—' : format(v);
  };
}

/** Light/dark follows the OS; the chart is made again with the other tokens when it flips. */
function useColourScheme(): boolean {
  const [dark, setDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return dark;
}

/**
 * Used VRAM (GB, left axis, up to the GPU's total) and utilisation (%, right axis) over the last ten
 * minutes, with the alert threshold as a dashed line. uPlot draws on a canvas; `version` changes once
 * per batch of ticks and each change is one `setData` (one redraw), so the chart costs nothing
 * between ticks. The summary sentence is what a screen reader gets.
 */
export function HistoryChart({
  history,
  version,
  gpuIndex,
  totalMib,
  alertPercent,
  summary,
}: {
  history: GpuHistory;
  version: number;
  gpuIndex: number;
  totalMib: number | null;
  alertPercent: number;
  summary: string;
}) {
  const { t, i18n } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = useColourScheme();
  const lang = i18n.language;
  const vramLabel = t('gpu.page.history.vram');
  const utilLabel = t('gpu.page.history.utilization');
  const timeLabel = t('gpu.page.history.time');

  // Made again only when what its options hold changes (language, total, threshold, scheme, GPU).
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const colours = tokenColours(el);
    const totalGb = totalMib === null ? null : gbOf(totalMib);
    const clock = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
    const clockSeconds = new Intl.DateTimeFormat(lang, {
      hour: 'numeric',
      minute: '2-digit',
      second: '2-digit',
    });
    const gb = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const axis = { stroke: colours.axis, grid: { stroke: colours.grid, width: 1 }, ticks: { show: false } };
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // The last ten minutes up to the newest tick: the line grows in from the right.
          x: { time: true, range: (_u, _min, max) => (max == null ? [0, WINDOW_S] : [max - WINDOW_S, max]) },
          gb: { range: (_u, _min, max) => [0, Math.max(totalGb ?? 0, max ?? 1)] },
          pct: { range: [0, 100] },
        },
        series: [
          { label: timeLabel, value: legendValue((v) => clockSeconds.format(v * 1000)) },
          {
            label: vramLabel,
            scale: 'gb',
            stroke: colours.vram,
            fill: translucent(colours.vram, 0.15),
            width: 2,
            value: legendValue((v) => gb.format(v)),
          },
          {
            label: utilLabel,
            scale: 'pct',
            // Thin and faint: utilisation jumps between idle and busy every few seconds, VRAM is the story.
            stroke: translucent(colours.util, 0.55) ?? colours.util,
            width: 1,
            value: legendValue((v) => `${Math.round(v)}%`),
          },
        ],
        axes: [
          { ...axis, values: (_u, splits) => splits.map((s) => clock.format(s * 1000)) },
          { ...axis, scale: 'gb', values: (_u, splits) => splits.map((s) => `${s} GB`) },
          {
            ...axis,
            scale: 'pct',
            side: 1,
            grid: { show: false },
            values: (_u, splits) => splits.map((s) => `${s}%`),
          },
        ],
        hooks: {
          draw: [
            (self) => {
              if (totalGb === null) return;
              const y = self.valToPos((totalGb * alertPercent) / 100, 'gb', true);
              const { ctx, bbox } = self;
              ctx.save();
              ctx.strokeStyle = colours.alert;
              ctx.lineWidth = devicePixelRatio;
              ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
              ctx.restore();
            },
          ],
        },
      },
      history.columns(gpuIndex),
      el,
    );
    chart.current = u;
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      chart.current = null;
    };
    // `history` is one object for the page's life; its new ticks arrive through `version` below.
  }, [history, gpuIndex, totalMib, alertPercent, lang, dark, vramLabel, utilLabel, timeLabel]);

  useEffect(() => {
    chart.current?.setData(history.columns(gpuIndex));
  }, [history, version, gpuIndex]);

  return (
    <figure className="history-chart">
      {/* uPlot's own legend (the values under the cursor) is for the eye; the summary is what is read out. */}
      <div className="history-chart__plot" role="img" aria-label={summary} data-points={history.size}>
        <div ref={box} aria-hidden="true" />
      </div>
      {totalMib !== null ? (
        <figcaption className="history-chart__caption muted">
          <span className="history-chart__threshold">
            {t('gpu.page.history.threshold', { percent: alertPercent })}
          </span>
        </figcaption>
      ) : null}
    </figure>
  );
}
