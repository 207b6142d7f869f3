import type { ErrorInfo, InvokeOutput } from '../../../../electron/contract';
import { invoke } from '../../api';
import { useQuery } from '../../hooks/useQuery';
import { parsePort, type ProcessForm } from './process-settings';
import { DEBOUNCE_MS, pause } from './useDifyDirCheck';

export type ProcessChecks = InvokeOutput<'processes:checkSettings'>;

export type ProcessCheckState =
  { kind: 'checking' } | { kind: 'done'; result: ProcessChecks } | { kind: 'failed'; error: ErrorInfo };

/** A port main accepts while the typed one is not a port yet; its verdict is not shown then. */
const PLACEHOLDER_PORT = 7860;

/**
 * Main's verdicts on Ollama's executable, A1111's folder and port, as typed (debounced like the Dify
 * folder's check). An answer counts only for the values it was asked about.
 */
export function useProcessChecks(form: ProcessForm): ProcessCheckState {
  const ollamaPath = form.ollamaPath.trim();
  const a1111Dir = form.a1111Dir.trim();
  const a1111Port = parsePort(form.a1111Port) ?? PLACEHOLDER_PORT;
  const check = useQuery(
    async (signal) => {
      await pause(DEBOUNCE_MS, signal);
      return invoke('processes:checkSettings', { ollamaPath, a1111Dir, a1111Port });
    },
    [ollamaPath, a1111Dir, a1111Port],
  );
  if (check.loading) return { kind: 'checking' };
  if (check.error) return { kind: 'failed', error: check.error };
  return check.data ? { kind: 'done', result: check.data } : { kind: 'checking' };
}

/**
 * Whether the A1111 folder keeps the form from being saved (Settings' Save, the setup's Next): a
 * folder that is not an A1111 install blocks, like a bad Dify folder, and so does one still being
 * checked. Ollama not found (yet) and a port in use do not: a running server needs no path, the port
 * may be freed before the next Start, and main says so then.
 */
export function a1111DirBlocks(form: ProcessForm, checks: ProcessCheckState): boolean {
  return (
    form.a1111Dir.trim() !== '' &&
    (checks.kind === 'checking' || (checks.kind === 'done' && !checks.result.a1111Dir.ok))
  );
}
