import { describe, expect, it } from 'vitest';
import { ollamaEndpoint, parseOllamaHost } from '../../../electron/processes/ollama-host';

const hostString = (value: string) => {
  const e = parseOllamaHost(value);
  return `${e.scheme}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
};

describe('parseOllamaHost', () => {
  // ollama/ollama v0.33 envconfig/config_test.go TestHost, case for case ("proxy path" without its
  // path: `serve` binds host:port only, and that is what we connect to).
  it.each([
    ['empty', '', 'http://127.0.0.1:11434'],
    ['only address', '1.2.3.4', 'http://1.2.3.4:11434'],
    ['only port', ':1234', 'http://:1234'],
    ['address and port', '1.2.3.4:1234', 'http://1.2.3.4:1234'],
    ['hostname', 'example.com', 'http://example.com:11434'],
    ['hostname and port', 'example.com:1234', 'http://example.com:1234'],
    ['zero port', ':0', 'http://:0'],
    ['too large port', ':66000', 'http://:11434'],
    ['too small port', ':-1', 'http://:11434'],
    ['ipv6 localhost', '[::1]', 'http://[::1]:11434'],
    ['ipv6 world open', '[::]', 'http://[::]:11434'],
    ['ipv6 no brackets', '::1', 'http://[::1]:11434'],
    ['ipv6 + port', '[::1]:1337', 'http://[::1]:1337'],
    ['extra space', ' 1.2.3.4 ', 'http://1.2.3.4:11434'],
    ['extra quotes', '"1.2.3.4"', 'http://1.2.3.4:11434'],
    ['extra space+quotes', ' " 1.2.3.4 " ', 'http://1.2.3.4:11434'],
    ['extra single quotes', "'1.2.3.4'", 'http://1.2.3.4:11434'],
    ['http', 'http://1.2.3.4', 'http://1.2.3.4:80'],
    ['http port', 'http://1.2.3.4:4321', 'http://1.2.3.4:4321'],
    ['https', 'https://1.2.3.4', 'https://1.2.3.4:443'],
    ['https port', 'https://1.2.3.4:4321', 'https://1.2.3.4:4321'],
    ['proxy path', 'https://example.com/ollama', 'https://example.com:443'],
    ['ollama.com', 'ollama.com', 'https://ollama.com:443'],
    // Not in Ollama's table, read from the same code:
    ['http without a port binds 80 (facts.md)', 'http://0.0.0.0', 'http://0.0.0.0:80'],
    ['a port that is not a number', 'example.com:abc', 'http://example.com:11434'],
    ['a port too large under http', 'http://1.2.3.4:70000', 'http://1.2.3.4:80'],
    ['another scheme keeps 11434', 'tcp://1.2.3.4', 'http://1.2.3.4:11434'],
  ])('%s: %j → %s', (_name, value, expected) => {
    expect(hostString(value)).toBe(expected);
  });

  // TestConnectableHost: where a client connects (never to an unspecified address).
  it.each([
    ['empty', '', 'http://127.0.0.1:11434'],
    ['localhost', '127.0.0.1', 'http://127.0.0.1:11434'],
    ['localhost and port', '127.0.0.1:1234', 'http://127.0.0.1:1234'],
    ['ipv4 unspecified', '0.0.0.0', 'http://127.0.0.1:11434'],
    ['ipv4 unspecified + port', '0.0.0.0:1234', 'http://127.0.0.1:1234'],
    ['ipv6 unspecified', '[::]', 'http://[::1]:11434'],
    ['ipv6 unspecified + port', '[::]:1234', 'http://[::1]:1234'],
    ['ipv6 localhost', '[::1]', 'http://[::1]:11434'],
    ['ipv6 localhost + port', '[::1]:1234', 'http://[::1]:1234'],
    ['specific address', '192.168.1.5', 'http://192.168.1.5:11434'],
    ['specific address + port', '192.168.1.5:8080', 'http://192.168.1.5:8080'],
    ['hostname', 'example.com', 'http://example.com:11434'],
    ['hostname and port', 'example.com:1234', 'http://example.com:1234'],
    ['https unspecified + port', 'https://0.0.0.0:4321', 'https://127.0.0.1:4321'],
    // Go's ":1234" listens on every interface; we reach it through loopback.
    ['only port', ':1234', 'http://127.0.0.1:1234'],
  ])('connect %s: %j → %s', (_name, value, expected) => {
    expect(parseOllamaHost(value).url).toBe(expected);
  });

  it.each([
    ['0.0.0.0', true],
    ['0.0.0.0:11434', true],
    [':11434', true],
    ['[::]:11434', true],
    ['127.0.0.1:11434', false],
    ['192.168.1.5', false],
    ['example.com', false],
  ])('%j binds every interface: %s', (value, expected) => {
    expect(parseOllamaHost(value).bindsAllInterfaces).toBe(expected);
  });
});

describe('ollamaEndpoint', () => {
  it('takes the setting over OLLAMA_HOST', () => {
    const r = ollamaEndpoint('127.0.0.1:11500', { OLLAMA_HOST: '0.0.0.0:11434' });
    expect(r).toMatchObject({ source: 'setting', hostValue: '127.0.0.1:11500' });
    expect(r.endpoint.url).toBe('http://127.0.0.1:11500');
  });

  it('takes OLLAMA_HOST when the setting is empty — quotes alone count as empty, as in Var()', () => {
    for (const setting of ['', '   ', '""']) {
      const r = ollamaEndpoint(setting, { OLLAMA_HOST: '0.0.0.0' });
      expect(r).toMatchObject({ source: 'environment', hostValue: '0.0.0.0' });
      expect(r.endpoint).toMatchObject({ url: 'http://127.0.0.1:11434', bindsAllInterfaces: true });
    }
  });

  it('falls back to 127.0.0.1:11434', () => {
    const r = ollamaEndpoint('', { OLLAMA_HOST: " '' " });
    expect(r).toMatchObject({ source: 'default', hostValue: '127.0.0.1:11434' });
    expect(r.endpoint.url).toBe('http://127.0.0.1:11434');
  });
});
