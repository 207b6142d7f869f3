/**
 * The checks of resources/locales/glossary.json (the machine-readable half of docs/glossary.md), as pure
 * functions over flattened locale files, so the test can run them on the real files and on strings that
 * must be rejected.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Glossary {
  forbidden: { pattern: string; preferred: string; term: string }[];
  pairs: ({ term: string; why: string } & (
    { ja: string; enMust: string } | { en: string; jaMust: string }
  ))[];
  keyValues: { key: string; jaMust: string }[];
  labels: { keyPatterns: string[] };
  polite: { cliHelpKeys: string[]; plainEnding: string; allowedEndings: string };
  unitsInCode: {
    paths: string[];
    patterns: { pattern: string; why: string }[];
    css: { selector: string; mustNot: string; why: string }[];
  };
}

export type Flat = Record<string, string>;

export const ROOT = path.resolve(__dirname, '../../..');

export function loadGlossary(): Glossary {
  return JSON.parse(readFileSync(path.join(ROOT, 'resources/locales/glossary.json'), 'utf8')) as Glossary;
}

/** Nested locale JSON → { 'a.b.c': value }. */
export function flatten(tree: unknown, prefix = '', out: Flat = {}): Flat {
  if (typeof tree === 'string') {
    out[prefix] = tree;
    return out;
  }
  if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

const re = (source: string, flags = 'u') => new RegExp(source, flags);
const PLURAL = /_(zero|one|two|few|many|other)$/;

export const baseKey = (key: string): string => key.replace(PLURAL, '');

export function isCliHelpKey(g: Glossary, key: string): boolean {
  return g.polite.cliHelpKeys.some((p) => re(p).test(baseKey(key)));
}

/** A label by its name (`…title`, `…Label`, `tray.…`), unless it is CLI help (`plugins.cli.install`). */
export function isLabelKey(g: Glossary, key: string): boolean {
  return !isCliHelpKey(g, key) && g.labels.keyPatterns.some((p) => re(p).test(baseKey(key)));
}

/** Forbidden spellings in one ja string: "pattern → preferred" for each hit. */
export function forbiddenIn(g: Glossary, ja: string): string[] {
  return g.forbidden.filter((f) => re(f.pattern).test(ja)).map((f) => `${f.pattern} → ${f.preferred}`);
}

/** Term pairs between en and ja of one key. */
export function pairProblems(g: Glossary, en: string, ja: string): string[] {
  const out: string[] = [];
  for (const p of g.pairs) {
    if ('enMust' in p) {
      if (re(p.ja).test(ja) && !re(p.enMust, 'iu').test(en))
        out.push(`${p.ja} but en is not "${p.term}": ${p.why}`);
    } else if (re(p.en, 'iu').test(en) && !re(p.jaMust).test(ja)) {
      out.push(`en says "${p.term}", ja lacks ${p.jaMust}: ${p.why}`);
    }
  }
  return out;
}

export function keyValueProblems(g: Glossary, key: string, ja: string): string[] {
  return g.keyValues
    .filter((kv) => re(kv.key).test(key) && !re(kv.jaMust).test(ja))
    .map((kv) => `must match ${kv.jaMust}`);
}

/** The end of a sentence with a trailing parenthesis, closing quotes and ellipsis taken off. */
function sentenceEnd(sentence: string): string {
  let s = sentence.trim();
  for (;;) {
    const next = s
      .replace(/（[^（）]*）$/u, '')
      .replace(/\([^()]*\)$/u, '')
      .replace(/[」』"”…\s]+$/u, '');
    if (next === s) return s;
    s = next;
  }
}

/** Sentences (text before each 。) that end in a plain (non-です/ます) form. */
export function plainSentences(g: Glossary, ja: string): string[] {
  const pieces = ja.split('。').slice(0, -1);
  return pieces.filter((p) => {
    const end = sentenceEnd(p);
    return re(g.polite.plainEnding).test(end) && !re(g.polite.allowedEndings).test(end);
  });
}

/** A help text or message whose last phrase is a plain-form verb ("表示する"). */
export function plainEnding(g: Glossary, ja: string): boolean {
  const end = sentenceEnd(ja.replace(/。$/u, '').split('。').at(-1) ?? '');
  return re(g.polite.plainEnding).test(end) && !re(g.polite.allowedEndings).test(end);
}

/** {{name}} placeholders and $t(...) nestings, sorted: en and ja must carry the same. */
export function placeholders(text: string): string[] {
  const all = [...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}|\$t\(([^)]*)\)/gu)].map((m) =>
    m[0].replace(/\s/gu, ''),
  );
  return [...new Set(all)].sort();
}

/** Every problem of one key, as readable lines. */
export function problemsOf(g: Glossary, key: string, en: string | undefined, ja: string): string[] {
  const out = forbiddenIn(g, ja).map((f) => `forbidden ${f}`);
  if (en === undefined) return [...out, 'no en string'];
  out.push(...pairProblems(g, en, ja), ...keyValueProblems(g, key, ja));
  const label = isLabelKey(g, key);
  if (label && /。$/u.test(ja)) out.push('a label/button/menu/title ends in 。');
  if (!label) for (const s of plainSentences(g, ja)) out.push(`plain form, not です/ます: "${s}。"`);
  if ((isCliHelpKey(g, key) || key.startsWith('errors.')) && plainEnding(g, ja))
    out.push('help/message ends in a plain form, not です/ます');
  const [pe, pj] = [placeholders(en), placeholders(ja)];
  if (pe.join('|') !== pj.join('|')) out.push(`placeholders differ: en ${pe.join(' ')} / ja ${pj.join(' ')}`);
  if (/<\/?[a-z][\w-]*(\s[^>]*)?>/iu.test(ja) && !/<\/?[a-z][\w-]*(\s[^>]*)?>/iu.test(en))
    out.push('HTML in ja');
  return out;
}

export function checkLocales(g: Glossary, en: Flat, ja: Flat): string[] {
  const out: string[] = [];
  for (const key of Object.keys(en)) if (!(key in ja)) out.push(`${key}: missing in ja`);
  for (const [key, value] of Object.entries(ja)) {
    for (const p of problemsOf(g, key, en[key], value)) out.push(`${key}: ${p}  ← ${value}`);
  }
  return out;
}

function filesUnder(dir: string, exts: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, exts));
    else if (exts.test(name)) out.push(full);
  }
  return out;
}

/** Unit words written into user-facing code, outside comments: "file:line: why". */
export function unitsInSource(g: Glossary, source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$|\/\*.*?\*\/|^\s*\*.*$/u, '');
    for (const p of g.unitsInCode.patterns)
      if (re(p.pattern).test(code)) out.push(`${i + 1}: ${p.why}: ${line.trim()}`);
  });
  return out;
}

/** CSS rules that would cut a unit word (`.timeout-row__unit { max-width; text-overflow }`). */
export function cssProblems(g: Glossary, css: string): string[] {
  const out: string[] = [];
  for (const rule of g.unitsInCode.css) {
    for (const block of css.split(rule.selector).slice(1)) {
      const body = /^\s*\{([^}]*)\}/u.exec(block)?.[1];
      if (body !== undefined && re(rule.mustNot).test(body)) out.push(`${rule.selector}: ${rule.why}`);
    }
  }
  return out;
}

export function unitsInCode(g: Glossary): string[] {
  const out: string[] = [];
  for (const dir of g.unitsInCode.paths) {
    for (const file of filesUnder(path.join(ROOT, dir), /\.(ts|tsx)$/u)) {
      for (const hit of unitsInSource(g, readFileSync(file, 'utf8')))
        out.push(`${path.relative(ROOT, file)}:${hit}`);
    }
    for (const file of filesUnder(path.join(ROOT, dir), /\.css$/u)) {
      for (const hit of cssProblems(g, readFileSync(file, 'utf8')))
        out.push(`${path.relative(ROOT, file)}: ${hit}`);
    }
  }
  return out;
}
