import { describe, expect, it } from 'vitest';
import { alignColumns, displayWidth, newLines } from '../../../electron/cli/cli-format';

describe('newLines', () => {
  it('returns appended lines', () => {
    expect(newLines([], ['a'])).toEqual(['a']);
    expect(newLines(['a'], ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(newLines(['a', 'b'], ['a', 'b'])).toEqual([]);
  });

  it('follows a full window that slides', () => {
    expect(newLines(['1', '2', '3'], ['2', '3', '4'])).toEqual(['4']);
    expect(newLines(['1', '2', '3'], ['3', '4', '5'])).toEqual(['4', '5']);
    expect(newLines(['1', '1', '2'], ['1', '2', '1'])).toEqual(['1']);
  });

  it('prints everything when nothing overlaps', () => {
    expect(newLines(['a', 'b'], ['x', 'y'])).toEqual(['x', 'y']);
  });
});

describe('alignColumns', () => {
  it('counts Japanese characters as two columns', () => {
    expect(displayWidth('状態')).toBe(4);
    expect(displayWidth('Dify（9/11）')).toBe(4 + 2 + 4 + 2);
    expect(
      alignColumns([
        ['サービス', 'x'],
        ['api', 'y'],
      ]),
    ).toEqual(['サービス  x', 'api       y']);
  });
});
