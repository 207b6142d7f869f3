/**
 * ANSI escape sequences in log lines (coloured loggers, uvicorn, Ollama's progress): the plain text
 * that search, copy and export see, and coloured tokens for the rows on screen. Parsing is anser's
 * (a well-kept SGR parser); tokens carry CSS classes because the window's CSP forbids inline style
 * attributes. Only the 256-colour palette beyond the 16 base colours and 24-bit colours, which no
 * class can enumerate sensibly, become a `color` set through the DOM (React's style prop is a CSSOM
 * write, which the CSP allows), never an HTML attribute.
 */
import Anser from 'anser';

const ESC = '\u001b';
/** OSC sequences (a terminal title, a hyperlink): anser parses only CSI, so these go first. */
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** The line without escape sequences; the same string when it has none (most lines, no copy). */
export function plainText(text: string): string {
  return text.includes(ESC) ? Anser.ansiToText(text.replace(OSC, '')) : text;
}

export interface AnsiToken {
  text: string;
  /** Space-separated classes from LogsPage.css (`ansi-red-fg`, `ansi-bold`…), or '' for plain text. */
  className: string;
  /** `rgb(…)` for colours outside the 16 with classes; null otherwise. */
  color: string | null;
  background: string | null;
}

/** Anser's class names for the 16 base colours (`ansi-red`, `ansi-bright-black`…); anything else is computed. */
const BASE_CLASS = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;

/** xterm's 256-colour palette entry `n` (16…255): a 6×6×6 cube, then 24 greys. */
export function paletteRgb(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return `rgb(${step(Math.floor(i / 36))}, ${step(Math.floor(i / 6) % 6)}, ${step(i % 6)})`;
}

/** One side (fg/bg) of a token: a class for the base colours, a computed colour for the rest. */
function side(
  value: string | null,
  truecolor: string | null,
  suffix: 'fg' | 'bg',
): { cls: string | null; rgb: string | null } {
  if (!value) return { cls: null, rgb: null };
  if (BASE_CLASS.test(value)) return { cls: `${value}-${suffix}`, rgb: null };
  if (value === 'ansi-truecolor' && truecolor) return { cls: null, rgb: `rgb(${truecolor})` };
  const palette = /^ansi-palette-(\d+)$/.exec(value);
  if (palette) return { cls: null, rgb: paletteRgb(Number(palette[1])) };
  return { cls: null, rgb: null };
}

/** The line as coloured tokens; a line without escapes is one plain token. */
export function ansiTokens(text: string): AnsiToken[] {
  if (!text.includes(ESC)) return [{ text, className: '', color: null, background: null }];
  const tokens: AnsiToken[] = [];
  const chunks = Anser.ansiToJson(text.replace(OSC, ''), { use_classes: true, remove_empty: true });
  for (const chunk of chunks) {
    if (chunk.content === '') continue;
    const fg = side(chunk.fg, chunk.fg_truecolor, 'fg');
    const bg = side(chunk.bg, chunk.bg_truecolor, 'bg');
    const classes = [fg.cls, bg.cls, ...chunk.decorations.map((d) => `ansi-${d}`)].filter(Boolean);
    tokens.push({ text: chunk.content, className: classes.join(' '), color: fg.rgb, background: bg.rgb });
  }
  return tokens;
}
