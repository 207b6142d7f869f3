/**
 * The plugin daemon's remote-debug port (PLUGIN_DEBUGGING_PORT, 5003 in Dify's compose) as a small real
 * TCP server on 127.0.0.1, following dify-plugin-daemon's debugging runtime (internal/core/
 * debugging_runtime/hooks.go, runtime_intialization_handlers.go):
 *  - messages are JSON lines (empty lines skipped); until the `end` message each one is
 *    `{"type": …, "data": …}`: `handshake` first with `{"key"}`, then `manifest_declaration`, the
 *    `*_declaration` lists, `asset_chunk`s (base64), `end`;
 *  - the key is looked up (`keyValid`); an unknown one is answered with the plain line
 *    "handshake failed, invalid key" and the socket is closed, a line that is not such JSON with
 *    "handshake failed, invalid handshake message"; the handshake must come within 10 s;
 *  - at `end` without any tool/model/endpoint/agent/datasource/trigger declaration:
 *    "no registration transferred, cannot initialize"; otherwise the plugin is connected, and the
 *    control panel installs it with source "remote" (install_service/controlpanel.go) — or, when
 *    the plugin_id is installed already (a package), attaches it to that installation, which is then
 *    uninstalled when the plugin disconnects;
 *  - after `end`, lines are the plugin's events (heartbeats, session messages): read and ignored.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

export interface DebugConnection {
  /** The key the plugin sent (null when no handshake came). */
  key: string | null;
  /** `author/name` from the manifest declaration, once sent. */
  pluginId: string | null;
  version: string | null;
  connectedAt: number;
  /** When the plugin completed its registration (`end`), null if it never did. */
  registeredAt: number | null;
  closedAt: number | null;
  /** The daemon's refusal line, when it refused. */
  refusal: string | null;
}

export interface RegisteredPlugin {
  pluginId: string;
  version: string;
  declaration: Record<string, unknown>;
}

export interface PluginDebugDaemonOptions {
  keyValid: (key: string) => boolean;
  /** The control panel's install; returns a handle the disconnect hands back. */
  onConnected: (plugin: RegisteredPlugin) => unknown;
  onDisconnected: (handle: unknown) => void;
  handshakeTimeoutMs?: number;
}

export interface PluginDebugDaemon {
  port: number;
  connections: DebugConnection[];
  /** Connections registered and still open. */
  live(): DebugConnection[];
  close(): Promise<void>;
}

const DECLARATION_TYPES = [
  'tool_declaration',
  'model_declaration',
  'endpoint_declaration',
  'agent_strategy_declaration',
  'datasource_declaration',
  'trigger_declaration',
];

export async function startPluginDebugDaemon(options: PluginDebugDaemonOptions): Promise<PluginDebugDaemon> {
  const connections: DebugConnection[] = [];
  const sockets = new Set<Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const record: DebugConnection = {
      key: null,
      pluginId: null,
      version: null,
      connectedAt: Date.now(),
      registeredAt: null,
      closedAt: null,
      refusal: null,
    };
    connections.push(record);
    let buffer = '';
    let handshake = false;
    let registered = false;
    let failed = false;
    let declaration: Record<string, unknown> | null = null;
    let declarations = 0;
    let handle: unknown = undefined;

    const refuse = (message: string): void => {
      failed = true;
      record.refusal = message;
      socket.end(`${message}\n`);
    };
    const timer = setTimeout(() => {
      if (!handshake) socket.destroy();
    }, options.handshakeTimeoutMs ?? 10_000);

    const message = (line: string): void => {
      if (failed || registered) return;
      let parsed: { type?: unknown; data?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        return refuse('handshake failed, invalid handshake message');
      }
      const data = parsed.data;
      switch (parsed.type) {
        case 'handshake': {
          const key = (data as { key?: unknown } | null)?.key;
          if (typeof key !== 'string') return refuse('handshake failed, invalid handshake message');
          record.key = key;
          if (!options.keyValid(key)) return refuse('handshake failed, invalid key');
          handshake = true;
          return;
        }
        case 'manifest_declaration': {
          const d = data as Record<string, unknown>;
          declaration = d;
          record.pluginId = `${String(d.author)}/${String(d.name)}`;
          record.version = String(d.version);
          return;
        }
        case 'asset_chunk':
          return;
        case 'end': {
          if (!handshake || !declaration || declarations === 0) {
            return refuse('no registration transferred, cannot initialize');
          }
          registered = true;
          record.registeredAt = Date.now();
          handle = options.onConnected({
            pluginId: record.pluginId as string,
            version: record.version as string,
            declaration,
          });
          return;
        }
        default:
          if (typeof parsed.type === 'string' && DECLARATION_TYPES.includes(parsed.type)) declarations++;
      }
    };

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) message(line);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      sockets.delete(socket);
      record.closedAt = Date.now();
      if (registered) options.onDisconnected(handle);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    live: () => connections.filter((c) => c.registeredAt !== null && c.closedAt === null),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
