/**
 * Go's path/filepath.Match on Linux, which the plugin daemon uses to find a model provider's
 * `predefined` model files among the package's files (decoder/helper.go, Manifest): `*` is any run of
 * characters except `/`, `?` one character except `/`, `[...]` / `[^...]` a class with ranges, and `\`
 * escapes the next character. There is no `**`. A malformed pattern is an error (filepath.ErrBadPattern),
 * which makes the daemon refuse the package.
 */
export class BadPatternError extends Error {}

export function goGlobToRegExp(pattern: string): RegExp {
  let out = '';
  let i = 0;
  const chars = [...pattern];
  const next = (): string => {
    const ch = chars[i++];
    if (ch === undefined) throw new BadPatternError(pattern);
    return ch;
  };
  while (i < chars.length) {
    const ch = next();
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '\\') out += escapeChar(next());
    else if (ch === '[') out += charClass();
    else out += escapeChar(ch);
  }
  return new RegExp(`^${out}$`, 'u');

  function charClass(): string {
    let cls = '';
    if (chars[i] === '^') {
      cls += '^';
      i++;
    }
    let count = 0;
    for (;;) {
      if (chars[i] === ']' && count > 0) {
        i++;
        return `[${cls}]`;
      }
      const lo = classChar();
      let item = escapeClassChar(lo);
      if (chars[i] === '-') {
        i++;
        const hi = classChar();
        // Go accepts a reversed range; it just matches nothing (a JS class would throw).
        item =
          (lo.codePointAt(0) ?? 0) > (hi.codePointAt(0) ?? 0)
            ? ''
            : `${escapeClassChar(lo)}-${escapeClassChar(hi)}`;
      }
      cls += item;
      count++;
    }
  }

  function classChar(): string {
    const ch = next();
    if (ch === '-' || ch === ']') throw new BadPatternError(pattern);
    return ch === '\\' ? next() : ch;
  }
}

/** True when `name` matches; throws BadPatternError for a malformed pattern. */
export function goGlobMatch(pattern: string, name: string): boolean {
  return goGlobToRegExp(pattern).test(name);
}

function escapeChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeClassChar(ch: string): string {
  return /[\\\]^-]/.test(ch) ? `\\${ch}` : ch;
}
