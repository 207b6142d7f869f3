import type { StatusSnapshot } from '../core/contract';
import type { LogsOpenRequest } from '../logs/contract';

/** Dify's compose name for the plugin daemon (electron/logs/error-watch.ts watches the same). */
export const PLUGIN_DAEMON = 'plugin_daemon';

/** What "Plugin daemon logs" opens: the daemon's log, at the last error while there are unseen ones. */
export function pluginDaemonLogsRequest(snapshot: Partial<Pick<StatusSnapshot, 'logs'>>): LogsOpenRequest {
  const logs = snapshot.logs ?? null;
  const last = logs && logs.errors > 0 ? logs.last : null;
  return {
    sources: [{ kind: 'service', service: PLUGIN_DAEMON }],
    at: last ? { key: `service:${last.service}`, at: last.at, text: last.text } : null,
  };
}
