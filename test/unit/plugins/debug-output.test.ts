import { describe, expect, it } from 'vitest';
import { classifyOutputLine, outputText } from '../../../electron/plugins/debug-output';

/** The SDK's JSON log line (config/logger_format.py), as json.dumps writes it. */
const sdkLog = (message: string): string =>
  JSON.stringify({ event: 'log', data: { level: 'INFO', message, timestamp: 1796281926.68 } }).replace(
    /":/g,
    '": ',
  );

describe('classifyOutputLine: what a plugin says about its remote-debug connection', () => {
  it.each([
    [sdkLog('Installed tool: sd_tool'), { kind: 'registered' }],
    [sdkLog('Installed model: ollama'), { kind: 'registered' }],
    [sdkLog("Installed endpoint: ['/hook']"), { kind: 'registered' }],
    [sdkLog('Installed agent: react'), { kind: 'registered' }],
    [sdkLog('Installed trigger provider: github'), { kind: 'registered' }],
    // The same record through a root handler the plugin set up itself (propagated, plain text).
    ['Installed tool: sd_tool', { kind: 'registered' }],
    // The TCP module's own line, printed only when the plugin configured logging itself.
    ['\u001b[32mConnected to localhost:5003\u001b[0m', { kind: 'registered' }],
    [
      "\u001b[31mAn error occurred while parsing the data: b'handshake failed, invalid key'\u001b[0m",
      { kind: 'refused', badKey: true, message: 'handshake failed, invalid key' },
    ],
    [
      "An error occurred while parsing the data: b'handshake failed, invalid handshake message'",
      { kind: 'refused', badKey: false, message: 'handshake failed, invalid handshake message' },
    ],
    [
      "An error occurred while parsing the data: b'no registration transferred, cannot initialize'",
      { kind: 'refused', badKey: false, message: 'no registration transferred, cannot initialize' },
    ],
    [
      "An error occurred while parsing the data: b'register failed, invalid manifest detected: name is required'",
      {
        kind: 'refused',
        badKey: false,
        message: 'register failed, invalid manifest detected: name is required',
      },
    ],
    [
      "An error occurred while parsing the data: b'server is busy now, please try again later'",
      { kind: 'refused', badKey: false, message: 'server is busy now, please try again later' },
    ],
    [
      '\u001b[31mFailed to connect to localhost:5003\u001b[0m',
      { kind: 'unreachable', message: 'Failed to connect to localhost:5003' },
    ],
  ])('%s', (line, expected) => {
    expect(classifyOutputLine(line)).toEqual(expected);
  });

  it.each([
    sdkLog('Received event: invoke'),
    'Traceback (most recent call last):',
    sdkLog('Sent key to localhost:5003'),
    '{"event": "log", "data": {broken',
    '',
    // A tool printing the words is not the SDK saying them.
    'print: my tool says Installed tool: x',
  ])('ignores %j', (line) => {
    expect(classifyOutputLine(line)).toBeNull();
  });
});

describe('outputText', () => {
  it('takes a JSON log line’s message without colours, and any other line as it is', () => {
    expect(outputText(sdkLog('\u001b[32mConnected\u001b[0m'))).toBe('Connected');
    expect(outputText('  plain \u001b[1mbold\u001b[0m  ')).toBe('plain bold');
    expect(outputText('{"event": "heartbeat"}')).toBe('{"event": "heartbeat"}');
  });
});
