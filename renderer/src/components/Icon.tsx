import type { ReactNode } from 'react';
import './Icon.css';

/**
 * Small inline SVG shapes. State badges pair a colour with a distinct shape so that state never depends
 * on colour alone (colour-blind users, greyscale screenshots).
 */
export type IconName =
  | 'check'
  | 'half'
  | 'stop'
  | 'spinner'
  | 'dash'
  | 'alert'
  | 'cross'
  | 'clock'
  | 'dot'
  | 'dashboard'
  | 'settings'
  | 'external'
  | 'refresh'
  | 'play'
  | 'folder'
  | 'search'
  | 'plugin'
  | 'logs'
  | 'copy'
  | 'save'
  | 'clear'
  | 'up'
  | 'down';

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      {paths[name]}
    </svg>
  );
}

const paths: Record<IconName, ReactNode> = {
  check: (
    <>
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path d="M4.6 8.2l2.2 2.2 4.6-4.8" fill="none" className="icon-contrast-stroke" strokeWidth="1.8" />
    </>
  ),
  half: (
    <>
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M8 1.8a6.2 6.2 0 0 1 0 12.4z" fill="currentColor" />
    </>
  ),
  stop: (
    <rect x="2.5" y="2.5" width="11" height="11" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
  ),
  spinner: (
    <g className="icon-spin">
      <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeOpacity="0.3" strokeWidth="2" />
      <path d="M8 2a6 6 0 0 1 6 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </g>
  ),
  dash: (
    <>
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M4.5 11.5l7-7" stroke="currentColor" strokeWidth="1.6" />
    </>
  ),
  alert: (
    <>
      <path d="M8 1.5l7 12.5H1z" fill="currentColor" />
      <path d="M8 6v4" className="icon-contrast-stroke" strokeWidth="1.7" strokeLinecap="round" />
      <circle cx="8" cy="12" r="0.95" className="icon-contrast-fill" />
    </>
  ),
  cross: (
    <>
      <circle cx="8" cy="8" r="7" fill="currentColor" />
      <path
        d="M5.5 5.5l5 5m0-5l-5 5"
        className="icon-contrast-stroke"
        strokeWidth="1.7"
        strokeLinecap="round"
      />
    </>
  ),
  clock: (
    <>
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <path d="M8 4.5V8l2.5 1.6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </>
  ),
  dot: <circle cx="8" cy="8" r="3" fill="currentColor" />,
  dashboard: (
    <>
      <rect
        x="1.5"
        y="1.5"
        width="5.5"
        height="6.5"
        rx="1"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
      <rect x="9" y="1.5" width="5.5" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <rect
        x="1.5"
        y="10"
        width="5.5"
        height="4.5"
        rx="1"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
      <rect x="9" y="7.5" width="5.5" height="7" rx="1" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </>
  ),
  settings: (
    <>
      <circle cx="8" cy="8" r="2.3" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <path
        d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
      />
    </>
  ),
  external: (
    <path
      d="M9.5 2.5h4v4M13.5 2.5L7.5 8.5M11.5 9.5v3a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1h3"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
  refresh: (
    <path
      d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9M13.5 2v3.5H10"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
  play: <path d="M4.5 2.8v10.4L13 8z" fill="currentColor" />,
  folder: (
    <path
      d="M1.8 4a1 1 0 0 1 1-1h3.4l1.5 1.6h5.5a1 1 0 0 1 1 1V12a1 1 0 0 1-1 1H2.8a1 1 0 0 1-1-1z"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinejoin="round"
    />
  ),
  search: (
    <>
      <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M10.3 10.3l3.7 3.7" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </>
  ),
  plugin: (
    <path
      d="M6 2.5h2.5v1.6a1.2 1.2 0 1 0 2.4 0V2.5h1.6a1 1 0 0 1 1 1V6h-1.6a1.2 1.2 0 1 0 0 2.4h1.6v4.1a1 1 0 0 1-1 1H3.5a1 1 0 0 1-1-1V3.5a1 1 0 0 1 1-1z"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.3"
      strokeLinejoin="round"
    />
  ),
  logs: (
    <>
      <rect
        x="2"
        y="1.8"
        width="12"
        height="12.4"
        rx="1.5"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
      <path
        d="M4.8 5.3h6.4M4.8 8h6.4M4.8 10.7h4"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
      />
    </>
  ),
  copy: (
    <>
      <rect x="5" y="5" width="9" height="9" rx="1.3" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <path
        d="M11 5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h2"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
    </>
  ),
  save: (
    <path
      d="M8 2v8.2M4.6 7l3.4 3.4L11.4 7M2.5 11.5v1.5a1 1 0 0 0 1 1h9a1 1 0 0 0 1-1v-1.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
  clear: (
    <>
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M3.6 12.4l8.8-8.8" stroke="currentColor" strokeWidth="1.5" />
    </>
  ),
  up: (
    <path
      d="M3.5 10l4.5-4.5 4.5 4.5"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
  down: (
    <path
      d="M3.5 6l4.5 4.5L12.5 6"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    />
  ),
};
