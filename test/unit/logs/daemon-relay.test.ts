/** A plugin's stderr line read back out of the daemon's WARN record (electron/logs/daemon-relay.ts). */
import { describe, expect, it } from 'vitest';
import { goAttributes, relayedStderr } from '../../../electron/logs/daemon-relay';

const HEAD = '2026-08-21T16:36:58.412873161Z WARN dify-plugin-daemon instance.go:326 plugin stderr';

describe('relayedStderr', () => {
  it('text records: the message and the instance, in whatever order the Go map printed them', () => {
    expect(
      relayedStderr(`${HEAD} instance=019d0925 message="  File \\"/app/main.py\\", line 3" plugin=a/b:1@c`),
    ).toEqual({
      instance: '019d0925',
      text: '  File "/app/main.py", line 3',
      level: 'warn',
    });
    expect(relayedStderr(`${HEAD} plugin=a/b:1@c message=KeyboardInterrupt instance=7f3e1a2b`)).toEqual({
      instance: '7f3e1a2b',
      text: 'KeyboardInterrupt',
      level: 'warn',
    });
  });

  it('a quoted message that holds " instance=" is not taken for the attribute', () => {
    expect(relayedStderr(`${HEAD} message="oops instance=fake x" instance=019d0925`)).toEqual({
      instance: '019d0925',
      text: 'oops instance=fake x',
      level: 'warn',
    });
  });

  it("Go's escapes: \\t, \\\\, \\u, \\x bytes of one UTF-8 character, \\a", () => {
    const line = `${HEAD} instance=1 message="\\tcol\\\\x \\u00e9 \\xe3\\x81\\x82 \\a"`;
    expect(relayedStderr(line)?.text).toBe('\tcol\\x é あ \x07');
  });

  it('JSON records', () => {
    const line = JSON.stringify({
      attributes: { instance: '019d0925', message: 'ValueError: x', plugin: 'a/b:1@c' },
      caller: 'instance.go:326',
      message: 'plugin stderr',
      service: 'dify-plugin-daemon',
      severity: 'WARN',
      ts: '2026-08-21T16:36:58.412873161Z',
    });
    expect(relayedStderr(line)).toEqual({ instance: '019d0925', text: 'ValueError: x', level: 'warn' });
  });

  it('anything else is not a relayed line', () => {
    for (const line of [
      '2026-03-20T02:49:04.3901069Z INFO dify-plugin-daemon logger.go:61 plugin instance log plugin=a instance=019d0925 message="Installed tool: visualization"',
      'someone wrote plugin stderr in a message',
      '{"message":"plugin stderr"}',
      '{"message":"plugin stderr", broken',
      `${HEAD} instance=1`,
      `${HEAD} message="unterminated`,
    ]) {
      const got = relayedStderr(line);
      if (line.endsWith('unterminated')) expect(got?.text).toBe('unterminated');
      else expect(got).toBeNull();
    }
  });
});

describe('goAttributes', () => {
  it('reads bare and quoted values in order; a key not asked for is skipped', () => {
    expect(goAttributes(' a=1 b="x y" c=3', ['a', 'b', 'c'])).toEqual({ a: '1', b: 'x y', c: '3' });
    expect(goAttributes(' a=1 b="x y"', ['b'])).toEqual({ b: 'x y' });
    expect(goAttributes('', ['a'])).toEqual({});
  });
});
