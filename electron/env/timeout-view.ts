/**
 * What the timeout panel shows before any change: every catalog key with its effective value, the
 * file deciding it, its readers and no-effect flags (from the reach), the presets, the call chains
 * those values give, and the lines Compose would refuse. Also the check of draft values while the
 * user types, which must answer without touching Compose.
 */
import { promises as fsp } from 'node:fs';
import { AppError } from '../core/errors';
import type { OpenProject } from '../stack/api';
import type { CheckResult, FitResultDto, ReleaseView, TimeoutKeyView, TimeoutsView } from './contract';
import type { ReleaseInfo } from './dify-release';
import { EnvDocument } from './env-file';
import type { CandidateFile, KeyReach, ProjectReach } from './reach-model';
import { getTimeoutKey } from './timeout-catalog';
import { CHAIN_SCENARIOS, computeTimeoutChain, type ChainInput, type ChainResult } from './timeout-chain';
import { fitChain, type FitInput } from './timeout-fit';
import { isRunning, validateChange } from './timeout-plan';
import { timeoutPresets } from './timeout-presets';
import type { ChainScenario } from './timeout-scenarios';
import { validateTimeoutValue } from './timeout-validation';

export async function timeoutsView(
  open: OpenProject,
  reach: ProjectReach,
  release: ReleaseInfo,
): Promise<TimeoutsView> {
  const keys = reach.keys.map((r) => keyView(r, release));
  const values = Object.fromEntries(keys.map((k) => [k.key, k.value ?? undefined]));
  const rules = { ruleSet: release.rules.ruleSet, assumed: release.assumed };
  return {
    project: {
      dir: open.project.dir,
      name: open.project.projectName,
      running: isRunning(open),
      composeVersion: `${open.bin.flavor} ${open.bin.version}`,
    },
    approximate: reach.approximate,
    resolving: reach.resolving,
    composeError: reach.composeError,
    files: reach.candidates.map((c) => ({ file: c.rel, exists: c.exists })),
    keys,
    presets: timeoutPresets(values, rules).map((p) => ({ id: p.id, values: { ...p.values } })),
    release: releaseView(release),
    chains: timeoutChains(values, undefined, rules),
    invalidLines: await invalidLinesOf(reach.candidates),
  };
}

export function releaseView(release: ReleaseInfo): ReleaseView {
  return {
    dify: release.dify,
    daemon: release.daemon,
    ruleSet: release.rules.ruleSet,
    assumed: release.assumed,
    pluginInstallTimeout: release.pluginInstallTimeout,
  };
}

/** Validation of draft values and the chains they give (pure, for typing). */
export function checkDraft(
  values: Record<string, string>,
  plugin?: ChainInput['plugin'],
  release?: ChainInput['release'],
): CheckResult {
  const errors: CheckResult['errors'] = {};
  for (const [key, value] of Object.entries(values)) {
    const error = validateChange(key, value);
    if (error) errors[key] = error;
  }
  return { errors, chains: timeoutChains(values, plugin, release) };
}

export function timeoutChains(
  values: Record<string, string | undefined>,
  plugin?: ChainInput['plugin'],
  release?: ChainInput['release'],
): ChainResult[] {
  return CHAIN_SCENARIOS.map((scenario) =>
    computeTimeoutChain(scenario, { values, ...(plugin ? { plugin } : {}), ...(release ? { release } : {}) }),
  );
}

/** "Make this call fit" for the panel and the CLI (pure). */
export function fitView(scenario: ChainScenario, input: FitInput): FitResultDto {
  return fitChain(scenario, input);
}

/** One catalog key as the panel lists it: each file's setting marked deciding, shadowed or unused. */
export function keyView(r: KeyReach, release?: ReleaseInfo): TimeoutKeyView {
  const info = getTimeoutKey(r.key);
  if (!info) throw new AppError('INTERNAL', { detail: `${r.key} is not in the catalog` });
  const shadowed = new Set(r.noEffect?.reason === 'shadowed' ? r.noEffect.files : []);
  const settings = r.files
    .filter((f) => f.sets)
    .map((f) => ({
      file: f.file,
      value: f.value,
      line: f.line,
      effect:
        f.file === r.decidingFile
          ? ('decides' as const)
          : shadowed.has(f.file)
            ? ('shadowed' as const)
            : ('unused' as const),
    }));
  const invalid = r.effective.value !== null ? validateTimeoutValue(r.key, r.effective.value) : null;
  return {
    key: r.key,
    group: info.group,
    unit: info.unit,
    // Dify's default for the running release (PLUGIN_DAEMON_TIMEOUT was 300 up to 1.11.1).
    defaultValue:
      r.key === 'PLUGIN_DAEMON_TIMEOUT' && release?.rules.pluginDaemonTimeoutDefault === 300
        ? '300'
        : info.defaultValue,
    min: info.min,
    max: info.max,
    location: info.location,
    consumers: info.consumers.map((c) => c.service),
    value: r.effective.value,
    source: r.effective.source,
    file: r.decidingFile,
    suggestedFile: r.suggestedFile,
    suggestedReason: r.suggestedReason,
    readers: r.readers,
    readerNames: r.readerNames,
    settings,
    noEffect: r.noEffect,
    invalid: invalid && !invalid.ok ? invalid.error : null,
    approximate: r.approximate,
  };
}

async function invalidLinesOf(candidates: readonly CandidateFile[]): Promise<TimeoutsView['invalidLines']> {
  const invalidLines: TimeoutsView['invalidLines'] = [];
  for (const c of candidates) {
    if (!c.exists) continue;
    const bytes = await fsp.readFile(c.abs).catch(() => null);
    if (!bytes) continue;
    for (const l of EnvDocument.parse(bytes).invalidLines()) {
      invalidLines.push({ file: c.rel, line: l.line, text: l.text, messageKey: l.messageKey });
    }
  }
  return invalidLines;
}
