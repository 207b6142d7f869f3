// Renders the tray icons (resources/tray-<state>.png 16×16 and @2x 32×32) and the app/installer icon
// (resources/icon.png 256×256) from the SVG below, in Chromium via playwright-core, with a transparent
// background. Run: node scripts/make-icons.mjs [--chromium /path/to/chromium]
//
// Each state differs in shape as well as colour, so the icon reads without colour vision:
//   running  green disc with a check mark      partial  amber ring, half filled
//   stopped  grey square (the "stop" symbol)   busy     blue disc with three dots
//   error    red triangle with an exclamation mark
// A thin dark outline keeps the light shapes visible on a light taskbar, the fills on a dark one.
//
// Badged variants (resources/tray-<state>-<badge>.png, TRAY_BADGES in electron/tray.ts) put marks on
// corners of each state's icon, each cut out of it by a ring of transparency so it reads at 16 px over
// any state; a badge named 'a-b' carries both marks:
//   vram     bottom right: magenta chip with two white bars (memory, full): VRAM use above the alert threshold
//   logs     top right: orange disc with a white exclamation mark: plugin daemon errors not yet looked at
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources');
const argIndex = process.argv.indexOf('--chromium');
const executablePath = argIndex > 0 ? process.argv[argIndex + 1] : '/usr/bin/chromium';

const OUTLINE = '#1f2937';

/** 16×16 design grid; scaled for @2x. */
const tray = {
  running: `
    <circle cx="8" cy="8" r="7" fill="#16a34a" stroke="${OUTLINE}" stroke-width="1"/>
    <path d="M4.6 8.3 L7 10.6 L11.4 5.6" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`,
  partial: `
    <circle cx="8" cy="8" r="6.5" fill="#fff" stroke="${OUTLINE}" stroke-width="2"/>
    <circle cx="8" cy="8" r="5.5" fill="none" stroke="#f59e0b" stroke-width="1.5"/>
    <path d="M8 2.5 A5.5 5.5 0 0 0 8 13.5 Z" fill="#f59e0b"/>`,
  stopped: `
    <rect x="2" y="2" width="12" height="12" rx="2" fill="#9ca3af" stroke="${OUTLINE}" stroke-width="1"/>
    <rect x="5.5" y="5.5" width="5" height="5" rx="0.5" fill="#fff"/>`,
  busy: `
    <circle cx="8" cy="8" r="7" fill="#2563eb" stroke="${OUTLINE}" stroke-width="1"/>
    <circle cx="4.6" cy="8" r="1.3" fill="#fff"/>
    <circle cx="8" cy="8" r="1.3" fill="#fff"/>
    <circle cx="11.4" cy="8" r="1.3" fill="#fff"/>`,
  error: `
    <path d="M8 1.2 L15.2 14.2 H0.8 Z" fill="#dc2626" stroke="${OUTLINE}" stroke-width="1" stroke-linejoin="round"/>
    <rect x="7" y="5" width="2" height="5.2" rx="1" fill="#fff"/>
    <circle cx="8" cy="12.1" r="1.1" fill="#fff"/>`,
};

/** Marks drawn over a state's icon on the same 16×16 grid, each with the area erased under it (a 1-unit ring wider). */
const marks = {
  vram: {
    cut: '<rect x="7.2" y="7.2" width="9.6" height="9.6" rx="2.4" fill="#000"/>',
    body: `
    <rect x="8.4" y="8.4" width="7.2" height="7.2" rx="1.6" fill="#c026d3" stroke="${OUTLINE}" stroke-width="1"/>
    <rect x="10" y="10.4" width="4" height="1.2" rx="0.3" fill="#fff"/>
    <rect x="10" y="12.4" width="4" height="1.2" rx="0.3" fill="#fff"/>`,
  },
  logs: {
    cut: '<circle cx="12.2" cy="3.8" r="4.6" fill="#000"/>',
    body: `
    <circle cx="12.2" cy="3.8" r="3.4" fill="#ea580c" stroke="${OUTLINE}" stroke-width="1"/>
    <rect x="11.6" y="1.6" width="1.2" height="2.9" rx="0.6" fill="#fff"/>
    <circle cx="12.2" cy="5.7" r="0.7" fill="#fff"/>`,
  },
};

/** TRAY_BADGES: each badge is one mark or several joined by '-'. */
const badges = ['vram', 'logs', 'vram-logs'];

/** The state's icon with a badge's marks: their areas erased first. */
function badged(state, badge) {
  const used = badge.split('-').map((name) => marks[name]);
  return `
    <defs><mask id="cut"><rect width="16" height="16" fill="#fff"/>
      ${used.map((m) => m.cut).join('')}</mask></defs>
    <g mask="url(#cut)">${tray[state]}</g>${used.map((m) => m.body).join('')}`;
}

/** 256×256: a rounded tile with three stacked layers (the stack) and a green "running" dot. */
const appIcon = `
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#4f46e5"/>
      <stop offset="1" stop-color="#0ea5e9"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="52" fill="url(#bg)"/>
  <g fill="none" stroke="#fff" stroke-width="14" stroke-linejoin="round" stroke-linecap="round">
    <path d="M128 50 L206 90 L128 130 L50 90 Z" fill="rgba(255,255,255,0.95)"/>
    <path d="M50 128 L128 168 L206 128" opacity="0.9"/>
    <path d="M50 164 L128 204 L206 164" opacity="0.75"/>
  </g>
  <circle cx="202" cy="202" r="30" fill="#16a34a" stroke="#fff" stroke-width="10"/>`;

function svgPage(body, viewBox, width, height) {
  return `<!doctype html><html><head><style>html,body{margin:0;background:transparent}svg{display:block}</style></head>
<body><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${viewBox}">${body}</svg></body></html>`;
}

async function render(page, body, viewBox, size, file, height = size) {
  await page.setViewportSize({ width: size, height });
  await page.setContent(svgPage(body, viewBox, size, height));
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height } });
  await writeFile(path.join(outDir, file), png);
  console.log(`wrote ${path.relative(root, path.join(outDir, file))} (${size}×${height})`);
}

await mkdir(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath, headless: true });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const [state, body] of Object.entries(tray)) {
    await render(page, body, '0 0 16 16', 16, `tray-${state}.png`);
    await render(page, body, '0 0 16 16', 32, `tray-${state}@2x.png`);
    for (const badge of badges) {
      await render(page, badged(state, badge), '0 0 16 16', 16, `tray-${state}-${badge}.png`);
      await render(page, badged(state, badge), '0 0 16 16', 32, `tray-${state}-${badge}@2x.png`);
    }
  }
  await render(page, appIcon, '0 0 256 256', 256, 'icon.png');
  // A large preview of every state side by side, for reviewing the design (not shipped).
  if (process.argv.includes('--preview')) {
    await mkdir(path.join(root, 'test-results'), { recursive: true });
    // Each state, then the same states badged, side by side (a mask id per cell: ids are document-wide).
    const bodies = [
      ...Object.values(tray),
      ...Object.keys(tray).flatMap((state) =>
        badges.map((badge, j) => badged(state, badge).replaceAll('cut', `cut-${state}-${j}`)),
      ),
    ];
    const cells = bodies.map((body, i) => `<g transform="translate(${i * 18 + 1} 1)">${body}</g>`).join('');
    await render(
      page,
      `<rect width="${bodies.length * 18 + 2}" height="18" fill="#f3f4f6"/>${cells}`,
      `0 0 ${bodies.length * 18 + 2} 18`,
      (bodies.length * 18 + 2) * 4,
      '../test-results/tray-preview-light.png',
      72,
    );
    await render(
      page,
      `<rect width="${bodies.length * 18 + 2}" height="18" fill="#202020"/>${cells}`,
      `0 0 ${bodies.length * 18 + 2} 18`,
      (bodies.length * 18 + 2) * 4,
      '../test-results/tray-preview-dark.png',
      72,
    );
  }
} finally {
  await browser.close();
}
