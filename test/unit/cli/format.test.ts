import { describe, expect, it } from 'vitest';
import { alignColumns, displayWidth } from '../../../electron/cli/cli-format';

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
