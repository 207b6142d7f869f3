/** Handlers of the diagnostics' channels (`./contract.ts`). */
import type { HandlersOf } from '../core/contract-kit';
import { detach, type HandlerAdapters } from '../core/handler-kit';
import type { DiagnosticsApi } from './api';
import type { diagnosticsInvoke } from './contract';

export function createDiagnosticsHandlers(
  deps: { diagnostics: DiagnosticsApi },
  adapters: Pick<HandlerAdapters, 'pickSavePath' | 'showInFolder'>,
): HandlersOf<typeof diagnosticsInvoke> {
  const { diagnostics } = deps;
  return {
    'diagnostics:info': async () => ({
      appLog: diagnostics.log.file,
      logDir: diagnostics.logDir(),
      canShowInFolder: adapters.showInFolder !== undefined,
    }),
    'diagnostics:export': async () => {
      const path = (await adapters.pickSavePath?.(suggestedName(new Date()))) ?? null;
      if (path === null) return { jobId: null, path: null };
      return { ...detach(diagnostics.exportTo(path)), path };
    },
    'diagnostics:showInFolder': async ({ jobId }) => {
      const file = diagnostics.exportedFile(jobId);
      if (file === null || !adapters.showInFolder) return { shown: false };
      adapters.showInFolder(file);
      return { shown: true };
    },
  };
}

/** `dify-stack-diagnostics-20261203-1630.zip`, in local time (what the user sees on the clock). */
export function suggestedName(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}`;
  return `dify-stack-diagnostics-${stamp}.zip`;
}
