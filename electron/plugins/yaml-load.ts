import { Lexer, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';

/**
 * Parses a plugin's YAML files so that what Dify's plugin daemon reads is read here too. The daemon
 * decodes with Go's gopkg.in/yaml.v3 (dify-plugin-daemon pkg/utils/parser/yaml.go,
 * UnmarshalYamlBytes), which differs from the `yaml` package in three ways that matter for real plugins:
 *
 * - A multi-line quoted scalar whose continuation lines are indented no deeper than its key is read by
 *   yaml.v3 (its scanner only stops a quoted scalar at the closing quote or a `---`/`...` line), as by
 *   PyYAML and js-yaml; the `yaml` lexer ends the scalar at the first such line (YAML 1.2's indentation
 *   rule) and reports dozens of follow-on errors. No `yaml` option changes that, so those continuation
 *   lines are indented before parsing: leading white space of a continuation line is folded away, so
 *   the value and every line number stay the same (official plugin tools/jiandaoyun needs this).
 * - Duplicate keys are an error in yaml.v3 only inside mappings that are decoded into the daemon's
 *   types (decode.go, decoder.mapping); a duplicate under a key the daemon never reads (e.g. `extra:`)
 *   is accepted. So the parse here keeps duplicates (`uniqueKeys: false`) and go-yaml-decode.ts reports
 *   them where yaml.v3 would.
 * - yaml.v3's Unmarshal reads the first document only; later documents are not even parsed.
 *
 * Scalars are kept as text (failsafe schema): go-yaml-decode.ts resolves them the way yaml.v3 does
 * (`yes` is a string, `0o17` an int, timestamps only for time fields…), not the way YAML 1.2 core does.
 */

export interface LoadedYaml {
  /** Null for a file with no document (empty or only comments): yaml.v3 decodes it as all zero values. */
  doc: Document.Parsed | null;
  lines: LineCounter;
}

export interface YamlSyntaxError {
  line: number;
  column: number;
  reason: string;
}

export type YamlLoadResult = { ok: true; yaml: LoadedYaml } | { ok: false; error: YamlSyntaxError };

export function loadYaml(text: string): YamlLoadResult {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = parse(source);
  // Relaxing needs a second lexer pass: only pay for it when the plain parse fails.
  if (first.ok) return first;
  const relaxed = relaxQuotedScalarIndent(source);
  return relaxed === source ? first : parse(relaxed);
}

function parse(source: string): YamlLoadResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(source, {
    lineCounter: lines,
    prettyErrors: false,
    schema: 'failsafe',
    uniqueKeys: false,
  });
  // parseAllDocuments returns an EmptyStream (an array) for a source with no document at all.
  const doc = docs.length > 0 ? (docs[0] as Document.Parsed) : null;
  // Only the first error: after one syntax error the rest of a file is mostly follow-on noise.
  const first = doc?.errors[0];
  if (first) {
    const p = lines.linePos(first.pos[0]);
    return {
      ok: false,
      error: { line: p.line, column: p.col, reason: first.message.split('\n')[0] ?? first.code },
    };
  }
  return { ok: true, yaml: { doc, lines } };
}

/** 1-based line/column of a parsed node. */
export function nodePosition(
  yaml: LoadedYaml,
  node: YamlNode | null | undefined,
): {
  line?: number;
  column?: number;
} {
  const range = node && typeof node === 'object' && 'range' in node ? node.range : undefined;
  if (!range) return {};
  const p = yaml.lines.linePos(range[0]);
  return { line: p.line, column: p.col };
}

// Tokens the lexer emits that stand for no source text (document start, flow end, scalar start).
const CONTROL_TOKENS = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * Indents the continuation lines of quoted scalars that the `yaml` lexer would end too early (see the
 * file comment). Only scalars that really close later get changed; an unterminated quote stays as it is
 * so that it is reported.
 */
export function relaxQuotedScalarIndent(text: string): string {
  const tried = new Set<number>();
  let current = text;
  for (;;) {
    const found = firstCutQuotedScalar(current, tried);
    if (!found) return current;
    tried.add(found.start);
    current = indentContinuationLines(current, found.start, found.end);
  }
}

/** The first quoted scalar that the lexer cut short although its closing quote comes later. */
function firstCutQuotedScalar(
  text: string,
  skip: ReadonlySet<number>,
): { start: number; end: number } | null {
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    const start = offset;
    offset += token.length;
    const quote = token[0];
    if ((quote !== '"' && quote !== "'") || skip.has(start)) continue;
    const end = closingQuote(text, start);
    if (end === -1 || end < offset) continue;
    // yaml.v3 (like libyaml) ends a document inside a quoted scalar at a `---` or `...` line: an error.
    if (/\n(---|\.\.\.)(\s|$)/.test(text.slice(start, end))) continue;
    return { start, end };
  }
  return null;
}

/** Index of the quote that closes the quoted scalar opening at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (quote === '"' && ch === '\\') i += 2;
    else if (ch === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 2;
      else return i;
    } else i++;
  }
  return -1;
}

/** Gives every non-blank line after the opening quote's line, up to the closing quote, enough indent. */
function indentContinuationLines(text: string, start: number, end: number): string {
  const lineStart = text.lastIndexOf('\n', start) + 1;
  const minIndent = start - lineStart + 1;
  const parts: string[] = [text.slice(0, start)];
  let pos = start;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1 || nl >= end) break;
    parts.push(text.slice(pos, nl + 1));
    pos = nl + 1;
    let indent = 0;
    while (text[pos + indent] === ' ') indent++;
    const next = text[pos + indent];
    const blank = next === '\n' || next === '\r' || next === undefined;
    if (!blank && indent < minIndent) parts.push(' '.repeat(minIndent - indent));
  }
  parts.push(text.slice(pos));
  return parts.join('');
}
