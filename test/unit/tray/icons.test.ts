import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TRAY_BADGES,
  TRAY_ICON_STATES,
  trayIconFile,
  type TrayBadge,
  type TrayIconState,
} from '../../../electron/tray';

const resources = path.resolve(__dirname, '../../../resources');

/** Width, height and colour type from a PNG's IHDR chunk. */
async function pngInfo(file: string): Promise<{ width: number; height: number; hasAlpha: boolean }> {
  const data = await readFile(file);
  expect(data.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(data.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const colourType = data[25];
  return {
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    hasAlpha: colourType === 6 || colourType === 4,
  };
}

/** Every icon the tray may show: each state plain and with each badge. */
const ICONS = TRAY_ICON_STATES.flatMap((state) =>
  [null, ...TRAY_BADGES].map((badge): [TrayIconState, TrayBadge | null] => [state, badge]),
);

describe('committed icons', () => {
  it.each(ICONS)(
    'tray-%s (badge %s) has a 16×16 and a 32×32 (@2x) image with transparency',
    async (state, badge) => {
      const file = trayIconFile(resources, state, badge);
      expect(await pngInfo(file)).toEqual({ width: 16, height: 16, hasAlpha: true });
      expect(await pngInfo(file.replace(/\.png$/, '@2x.png'))).toEqual({
        width: 32,
        height: 32,
        hasAlpha: true,
      });
    },
  );

  it('every state and badge looks different', async () => {
    const images = await Promise.all(ICONS.map(([s, b]) => readFile(trayIconFile(resources, s, b))));
    expect(new Set(images.map((b) => b.toString('base64'))).size).toBe(ICONS.length);
  });

  it('has a 256×256 app icon for the installer', async () => {
    expect(await pngInfo(path.join(resources, 'icon.png'))).toMatchObject({ width: 256, height: 256 });
  });
});
