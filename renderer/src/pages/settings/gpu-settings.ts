/**
 * The GPU monitor's settings as the form holds them (numbers as typed), what keeps them from being
 * saved, and the settings patch they become. Pure: unit tested.
 */
import type { InvokeInput, SettingsView } from '../../../../electron/contract';

type Settings = SettingsView['settings'];

export interface GpuForm {
  gpuMonitoring: boolean;
  nvidiaSmiPath: string;
  /** As typed; a number only once it is one. */
  vramAlertPercent: string;
  vramAlertSeconds: string;
}

/** The settings schema's bounds (electron/settings/schema.ts; a unit test keeps them equal). */
export const ALERT_PERCENT = { min: 50, max: 100 } as const;
export const ALERT_SECONDS = { min: 5, max: 3600 } as const;

export function gpuFormOf(settings: Settings): GpuForm {
  return {
    gpuMonitoring: settings.gpuMonitoring,
    nvidiaSmiPath: settings.nvidiaSmiPath,
    vramAlertPercent: String(settings.vramAlertPercent),
    vramAlertSeconds: String(settings.vramAlertSeconds),
  };
}

export function sameGpuForm(a: GpuForm, b: GpuForm): boolean {
  return (Object.keys(a) as Array<keyof GpuForm>).every((k) => a[k] === b[k]);
}

/**
 * A whole number within the bounds as typed (spaces around it allowed, thousands grouped with commas
 * as the hints write them: `100,000`), or null.
 */
export function wholeNumberIn(text: string, bounds: { min: number; max: number }): number | null {
  const t = text.trim();
  if (!/^(?:\d{1,7}|\d{1,3}(?:,\d{3}){1,2})$/.test(t)) return null;
  const n = Number(t.replace(/,/g, ''));
  return n >= bounds.min && n <= bounds.max ? n : null;
}

export interface GpuFormProblems {
  vramAlertPercent: 'invalid' | null;
  vramAlertSeconds: 'invalid' | null;
}

export function gpuFormProblems(form: GpuForm): GpuFormProblems {
  return {
    vramAlertPercent: wholeNumberIn(form.vramAlertPercent, ALERT_PERCENT) === null ? 'invalid' : null,
    vramAlertSeconds: wholeNumberIn(form.vramAlertSeconds, ALERT_SECONDS) === null ? 'invalid' : null,
  };
}

export function hasGpuProblems(problems: GpuFormProblems): boolean {
  return problems.vramAlertPercent !== null || problems.vramAlertSeconds !== null;
}

/** The settings patch of a form without problems (check `gpuFormProblems` first): these four keys only. */
export function gpuPatchOf(form: GpuForm): InvokeInput<'settings:update'> {
  return {
    gpuMonitoring: form.gpuMonitoring,
    nvidiaSmiPath: form.nvidiaSmiPath.trim(),
    vramAlertPercent: wholeNumberIn(form.vramAlertPercent, ALERT_PERCENT) ?? 90,
    vramAlertSeconds: wholeNumberIn(form.vramAlertSeconds, ALERT_SECONDS) ?? 30,
  };
}
