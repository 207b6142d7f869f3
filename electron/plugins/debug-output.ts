/**
 * What a plugin's output says about its remote-debug connection. Read from the SDK's source
 * (langgenius/dify-plugin-sdks, python/dify_plugin, 0.10):
 *
 * - The plugin's own logger prints JSON lines on stdout, `{"event": "log", "data": {"level": "INFO",
 *   "message": …, "timestamp": …}}` (config/logger_format.py). Right after the TCP handshake and the
 *   declarations are sent, `Plugin._initialize_tcp_stream` logs one line per registered part:
 *   "Installed tool: <name>", "Installed model: <provider>", "Installed endpoint: [...]",
 *   "Installed agent: <name>", "Installed trigger provider: <name>" — the SDK's start lines.
 * - The TCP module's own "Connected to host:port" is an INFO record of a logger without a handler: it
 *   is printed only when the plugin configures logging itself (then as plain text), so it is accepted
 *   but not relied on.
 * - The daemon answers a refused handshake with one plain line and closes the socket
 *   (debugging_runtime/hooks.go): "handshake failed, invalid key", "handshake failed, invalid handshake
 *   message", "no registration transferred, cannot initialize", "register failed, invalid manifest
 *   detected: …", "server is busy now, please try again later". The SDK tries to parse that line as
 *   JSON and logs, through the last-resort handler on stderr, "An error occurred while parsing the
 *   data: b'<the line>'" — then reconnects every 5 s forever with the same key.
 * - A port nobody listens on: "Failed to connect to host:port" (three tries, then the plugin exits).
 *
 * Escapes: JSON lines carry ANSI colours as \u001b…; stderr lines carry them raw. Both are removed
 * before matching.
 */

export type DebugOutputEvent =
  /** The plugin registered itself with the daemon (its start lines). */
  | { kind: 'registered' }
  /** The daemon refused the connection; `badKey`: the key is unknown (expired or another Dify's). */
  | { kind: 'refused'; badKey: boolean; message: string }
  /** Nothing listens at REMOTE_INSTALL_URL. */
  | { kind: 'unreachable'; message: string };

const REGISTERED = /^(?:Installed (?:tool|model|endpoint|agent|trigger provider): |Connected to \S+:\d+$)/;
const REFUSAL =
  /(handshake failed, [^'"\\]+|no registration transferred, cannot initialize|register failed, [^'"\\]+|server is busy now, please try again later)/;
const UNREACHABLE = /Failed to connect to \S+:\d+/;
// eslint-disable-next-line no-control-regex -- ANSI colour sequences are what is being removed.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The text a line shows: a JSON log line's message, else the line itself; without colours. */
export function outputText(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('{"event"')) {
    try {
      const parsed = JSON.parse(trimmed) as { event?: unknown; data?: { message?: unknown } };
      if (parsed.event === 'log' && typeof parsed.data?.message === 'string') {
        return parsed.data.message.replace(ANSI, '');
      }
    } catch {
      // Not JSON after all: matched as text.
    }
  }
  return trimmed.replace(ANSI, '');
}

/** One line of the plugin's output (stdout and stderr share the log) → what it says, if anything. */
export function classifyOutputLine(line: string): DebugOutputEvent | null {
  const text = outputText(line);
  if (REGISTERED.test(text)) return { kind: 'registered' };
  const refusal = REFUSAL.exec(text);
  if (refusal) {
    const message = (refusal[1] as string).trim();
    return { kind: 'refused', badKey: message === 'handshake failed, invalid key', message };
  }
  const unreachable = UNREACHABLE.exec(text);
  if (unreachable) return { kind: 'unreachable', message: unreachable[0] };
  return null;
}
