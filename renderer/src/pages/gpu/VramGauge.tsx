import { useTranslation } from 'react-i18next';
import { formatGb, vramTone, type VramUse } from '../../lib/gpu';
import './VramGauge.css';

/** The half-ring's length in SVG units (pathLength), so a share maps straight to a dash. */
const ARC = 100;

/**
 * VRAM used of the total as a half ring, with `VRAM 7.8 / 12.0 GB` under it and the alert threshold
 * marked on the ring. A meter for screen readers, named and valued in words.
 */
export function VramGauge({ use, alertPercent }: { use: VramUse; alertPercent: number }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const used = formatGb(use.used, lang);
  const total = formatGb(use.total, lang);
  const percent = use.share === null ? null : Math.round(use.share * 100);
  const tone = vramTone(use.share, alertPercent);
  // The threshold's mark: an angle along the half ring, 180° (empty) to 0° (full).
  const angle = Math.PI * (1 - alertPercent / 100);
  const at = (r: number) => ({ x: 60 + r * Math.cos(angle), y: 60 - r * Math.sin(angle) });
  // Across the ring (radius 50, 12 wide) and a little beyond both edges.
  const [inner, outer] = [at(42), at(58)];
  const valueText =
    percent === null
      ? t('gpu.page.vram.valueUnknown', { used, total })
      : t('gpu.page.vram.valueText', { used, total, percent });
  return (
    <div
      className={`vram-gauge vram-gauge--${tone}`}
      role="meter"
      aria-label={t('gpu.page.vram.meter')}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      aria-valuetext={valueText}
      data-vram-used={use.used ?? ''}
      data-vram-total={use.total ?? ''}
      data-tone={tone}
    >
      <svg className="vram-gauge__ring" viewBox="0 0 120 68" aria-hidden="true" focusable="false">
        <path className="vram-gauge__track" d="M10 60 A50 50 0 0 1 110 60" pathLength={ARC} />
        {percent !== null ? (
          <path
            className="vram-gauge__fill"
            d="M10 60 A50 50 0 0 1 110 60"
            pathLength={ARC}
            strokeDasharray={`${percent} ${ARC}`}
          />
        ) : null}
        <line className="vram-gauge__mark" x1={inner.x} y1={inner.y} x2={outer.x} y2={outer.y} />
        <text className="vram-gauge__percent" x="60" y="56" textAnchor="middle">
          {percent === null ? '—' : `${percent}%`}
        </text>
      </svg>
      <p className="vram-gauge__line">{t('gpu.page.vram.line', { used, total })}</p>
    </div>
  );
}
