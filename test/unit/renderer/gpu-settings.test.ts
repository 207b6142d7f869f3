import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema, SettingsSchema } from '../../../electron/settings/schema';
import {
  ALERT_PERCENT,
  ALERT_SECONDS,
  gpuFormOf,
  gpuFormProblems,
  gpuPatchOf,
  hasGpuProblems,
  sameGpuForm,
  wholeNumberIn,
} from '../../../renderer/src/pages/settings/gpu-settings';

const defaults = SettingsSchema.parse({});

describe('GPU settings form', () => {
  it('holds the saved settings as typed text and turns them back into the same patch', () => {
    const form = gpuFormOf(defaults);
    expect(form).toEqual({
      gpuMonitoring: true,
      nvidiaSmiPath: '',
      vramAlertPercent: '90',
      vramAlertSeconds: '30',
    });
    expect(gpuPatchOf(form)).toEqual({
      gpuMonitoring: true,
      nvidiaSmiPath: '',
      vramAlertPercent: 90,
      vramAlertSeconds: 30,
    });
    expect(sameGpuForm(form, gpuFormOf(defaults))).toBe(true);
    expect(sameGpuForm(form, { ...form, vramAlertPercent: '91' })).toBe(false);
  });

  it('sends only its own four keys, trimmed, and main accepts them', () => {
    const patch = gpuPatchOf({
      gpuMonitoring: false,
      nvidiaSmiPath: '  C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe ',
      vramAlertPercent: ' 85 ',
      vramAlertSeconds: '120',
    });
    expect(patch).toEqual({
      gpuMonitoring: false,
      nvidiaSmiPath: 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe',
      vramAlertPercent: 85,
      vramAlertSeconds: 120,
    });
    expect(SettingsPatchSchema.strict().parse(patch)).toEqual(patch);
  });

  it.each([
    ['90', '30', null, null],
    ['50', '5', null, null],
    ['100', '3600', null, null],
    ['49', '4', 'invalid', 'invalid'],
    ['101', '3601', 'invalid', 'invalid'],
    ['', '', 'invalid', 'invalid'],
    ['9O', '1e2', 'invalid', 'invalid'],
    ['90.5', '-30', 'invalid', 'invalid'],
  ] as const)('percent %j and seconds %j → %s / %s', (percent, seconds, p, s) => {
    const problems = gpuFormProblems({
      ...gpuFormOf(defaults),
      vramAlertPercent: percent,
      vramAlertSeconds: seconds,
    });
    expect(problems).toEqual({ vramAlertPercent: p, vramAlertSeconds: s });
    expect(hasGpuProblems(problems)).toBe(p !== null || s !== null);
  });

  it("has the settings schema's bounds", () => {
    const accepts = (key: 'vramAlertPercent' | 'vramAlertSeconds', n: number) =>
      SettingsPatchSchema.safeParse({ [key]: n }).success;
    for (const [key, bounds] of [
      ['vramAlertPercent', ALERT_PERCENT],
      ['vramAlertSeconds', ALERT_SECONDS],
    ] as const) {
      expect([bounds.min - 1, bounds.min, bounds.max, bounds.max + 1].map((n) => accepts(key, n))).toEqual([
        false,
        true,
        true,
        false,
      ]);
      expect(wholeNumberIn(String(bounds.min), bounds)).toBe(bounds.min);
    }
  });
});
