import { useEffect, useLayoutEffect, useRef, useState } from 'react';
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
  const readout = useRef<HTMLParagraphElement>(null);
  const chart = useRef<uPlot | null>(null);
  const dark = useColourScheme();
  const lang = i18n.language;
  const vramLabel = t('gpu.page.history.vram');
  const utilLabel = t('gpu.page.history.utilization');

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
    // The axis' unit from the locale (gpu.page.gb: "{{size}} GB"), like every other unit in the app.
    const gbTick = (size: number): string => t('gpu.page.gb', { size });
    /** "17:46:46 · VRAM used (GB) 6.9 · Utilisation (%) 88%" for the point under the pointer. */
    const readoutText = (self: uPlot, idx: number): string => {
      const [xs, used, util] = self.data;
      const x = xs[idx];
      if (x == null) return '';
      const v = used?.[idx];
      const u = util?.[idx];
      return [
        clockSeconds.format(x * 1000),
        `${vramLabel} ${v == null ? '—' : gb.format(v)}`,
        `${utilLabel} ${u == null ? '—' : `${Math.round(u)}%`}`,
      ].join(' · ');
    };
    const axis = { stroke: colours.axis, grid: { stroke: colours.grid, width: 1 }, ticks: { show: false } };
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: HEIGHT,
        // No uPlot legend: its table is laid out again on every tick (the gpu-render bench measured ~2.5 ms
        // of a 15 ms update). The readout below changes only while the pointer is over the chart.
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // The last ten minutes up to the newest tick: the line grows in from the right.
          x: { time: true, range: (_u, _min, max) => (max == null ? [0, WINDOW_S] : [max - WINDOW_S, max]) },
          gb: { range: (_u, _min, max) => [0, Math.max(totalGb ?? 0, max ?? 1)] },
          pct: { range: [0, 100] },
        },
        series: [
          {},
          {
            label: vramLabel,
            scale: 'gb',
            stroke: colours.vram,
            fill: translucent(colours.vram, 0.15),
            width: 2,
          },
          {
            label: utilLabel,
            scale: 'pct',
            // Thin and faint: utilisation jumps between idle and busy every few seconds, VRAM is the story.
            stroke: translucent(colours.util, 0.55) ?? colours.util,
            width: 1,
          },
        ],
        axes: [
          { ...axis, values: (_u, splits) => splits.map((s) => clock.format(s * 1000)) },
          { ...axis, scale: 'gb', values: (_u, splits) => splits.map(gbTick) },
          {
            ...axis,
            scale: 'pct',
            side: 1,
            grid: { show: false },
            values: (_u, splits) => splits.map((s) => `${s}%`),
          },
        ],
        hooks: {
          setCursor: [
            (self) => {
              const el = readout.current;
              const idx = self.cursor.idx;
              const text = idx == null ? '' : readoutText(self, idx);
              if (el && el.textContent !== text) el.textContent = text;
            },
          ],
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
  }, [history, gpuIndex, totalMib, alertPercent, lang, dark, vramLabel, utilLabel, t]);

  // Before the browser paints: the chart's new point shows in the same frame as the gauge's figures,
  // and the frame is laid out and painted once (a passive effect would draw after it, into the next).
  useLayoutEffect(() => {
    chart.current?.setData(history.columns(gpuIndex));
  }, [history, version, gpuIndex]);

  return (
    <figure className="history-chart">
      <div className="history-chart__plot" role="img" aria-label={summary} data-points={history.size}>
        <div ref={box} aria-hidden="true" />
      </div>
      <p ref={readout} className="history-chart__readout" aria-hidden="true" />
      <figcaption className="history-chart__caption muted">
        <span className="history-chart__key history-chart__key--vram">{vramLabel}</span>
        <span className="history-chart__key history-chart__key--util">{utilLabel}</span>
        {totalMib !== null ? (
          <span className="history-chart__key history-chart__key--alert">
            {t('gpu.page.history.threshold', { percent: alertPercent })}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}
