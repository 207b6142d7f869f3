/**
 * Pure text output of the `dify-stack` CLI: the documented `status --json` shape and the human table.
 * Kept apart from cli.ts so it is tested without running commands.
 */
import type { ComponentStatus, StatusSnapshot } from '../core/contract';
import type { DoctorReport } from '../processes/contract';
import { hasTranslation, translate, translator, type Lang } from '../core/i18n';
import { errorText, serviceStateText } from '../core/presentation';

/** The documented, stable `status --json` shape: nothing more (scripts depend on it). */
export interface StatusJson {
  components: Array<{
    id: ComponentStatus['id'];
    state: ComponentStatus['state'];
    detail: string;
    services?: Array<{ name: string; state: string; health: string | null; containerId: string }>;
    /** Ollama and A1111: where we reach it, and who runs it (`app`, `cli`, `desktop-app`, `external`). */
    url?: string | null;
    owner?: string | null;
    pid?: number | null;
  }>;
}

export function statusJson(snapshot: Pick<StatusSnapshot, 'components'>): StatusJson {
  return {
    components: snapshot.components.map((c) => ({
      id: c.id,
      state: c.state,
      detail: c.detail,
      ...(c.id === 'dify'
        ? {
            services: (c.services ?? []).map((s) => ({
              name: s.name,
              state: s.state,
              health: s.health,
              containerId: s.containerId,
            })),
          }
        : {}),
      ...(c.id === 'ollama' || c.id === 'a1111'
        ? {
            url: c.ollama?.url ?? c.a1111?.url ?? null,
            owner: c.process?.owner ?? null,
            pid: c.process?.pid ?? null,
          }
        : {}),
    })),
  };
}

const OUTCOME_MARKS = { ok: 'OK', failed: 'NG', skipped: '--' } as const;

/** `dify-stack doctor`: one line per check, then the likely cause and its fix under each failure. */
export function doctorText(report: DoctorReport, lang: Lang): string {
  const t = (key: string, params?: Record<string, unknown>): string => translate(lang, key, params);
  const out: string[] = [];
  if (report.error) out.push(t('cli.errorLine', { message: errorText(translator(lang), report.error) }));
  const inside = report.checks.find((c) => c.from !== 'host' && c.outcome !== 'skipped')?.from;
  if (inside) out.push(t('cli.doctor.from', { container: inside }));
  for (const check of report.checks) {
    const status = check.status === null ? '' : ` (HTTP ${check.status})`;
    out.push(`${OUTCOME_MARKS[check.outcome]}  ${check.from} → ${check.url}${status}`);
    if (check.outcome !== 'ok') {
      // Cause keys are relative to `doctor.causes` (electron/processes/doctor-causes.ts).
      const cause = check.cause
        ? tr(lang, `doctor.causes.${check.cause.key}`, check.detail, check.cause.params)
        : check.detail;
      if (cause) out.push(`    ${cause}`);
    }
  }
  out.push('', t(report.ok ? 'cli.doctor.ok' : 'cli.doctor.failed'));
  return out.join('\n') + '\n';
}

function tr(lang: Lang, key: string, fallback: string, params?: Record<string, unknown>): string {
  return hasTranslation(key) ? translate(lang, key, params) : fallback;
}

function componentDetail(lang: Lang, c: ComponentStatus): string {
  if (c.error) return errorText(translator(lang), c.error);
  if (c.reason) return tr(lang, c.reason.key, c.detail, c.reason.params);
  return c.detail;
}

export function statusTable(snapshot: Pick<StatusSnapshot, 'components' | 'project'>, lang: Lang): string {
  const t = (key: string, params?: Record<string, unknown>): string => translate(lang, key, params);
  const out: string[] = [];
  out.push(
    ...alignColumns([
      [t('cli.table.component'), t('cli.table.state'), t('cli.table.detail')],
      ...snapshot.components.map((c) => [
        tr(lang, `stack.component.${c.id}`, c.id),
        tr(lang, `stack.state.${c.state}`, c.state),
        componentDetail(lang, c),
      ]),
    ]),
  );
  if (snapshot.project) {
    out.push('', t('cli.project', { name: snapshot.project.name, dir: snapshot.project.dir }));
  }
  const services = snapshot.components.find((c) => c.id === 'dify')?.services ?? [];
  if (services.length > 0) {
    out.push(
      '',
      ...alignColumns([
        [t('cli.table.service'), t('cli.table.state'), t('cli.table.health'), t('cli.table.container')],
        ...services.map((s) => [
          s.name,
          serviceStateText(translator(lang), s),
          s.health ? tr(lang, `health.${s.health}`, s.health) : '-',
          s.containerId ? s.containerId.slice(0, 12) : '-',
        ]),
      ]),
    );
  }
  return out.join('\n') + '\n';
}

/** Pads every column but the last to the widest cell, counting wide (CJK) characters as two columns. */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell)),
      )
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Terminal columns of a string. Hand-written because the only width library around (string-width) is a
 * transitive dependency, and this table needs just East Asian Wide/Fullwidth ranges (Japanese labels).
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) continue; // control, combining, ZWSP
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
