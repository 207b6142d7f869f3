import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogSource } from '../../../../electron/contract';
import { folderName } from '../../lib/log-sources';

/** A source as people call it: the compose service's name, Ollama, AUTOMATIC1111, "Plugin my_tool". */
export function useSourceName(): (source: LogSource) => string {
  const { t } = useTranslation();
  return useCallback(
    (source: LogSource) => {
      switch (source.kind) {
        case 'service':
          return source.service;
        case 'plugin':
          return t('logs.sources.plugin', { name: folderName(source.folder) });
        default:
          return t(`stack.component.${source.kind}`);
      }
    },
    [t],
  );
}
