/** What the app's log and the diagnostics export remove (core/redact.ts), on realistic inputs. */
import { describe, expect, it } from 'vitest';
import { REDACTED, isSecretName, redactText, redactValue } from '../../../electron/core/redact';

const PASSWORD = 'Pw9-correct horse';
const PASSWORD_B64 = Buffer.from(PASSWORD, 'utf8').toString('base64');
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiM2Y0YSIsImV4cCI6MTc2NDc3MDAwMH0.aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f';
const REFRESH = '9b1c4e2f7a8d4c3b9e6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6';
const CSRF = 'QmFzZTY0Q3NyZlRva2VuMTIzNDU2Nzg5MA';

/** [what, input, secrets that must be gone, text that must stay] */
const CASES: Array<[string, string, string[], string[]]> = [
  [
    'a Dify console login body with a base64 password (≥ 1.11.2)',
    `POST /console/api/login {"email":"admin@example.com","password":"${PASSWORD_B64}","remember_me":false}`,
    [PASSWORD_B64],
    ['"email":"admin@example.com"', '"remember_me":false', '"password":"[REDACTED]"'],
  ],
  [
    'a plain password in a pretty-printed body (≤ 1.11.1)',
    `{\n  "email": "admin@example.com",\n  "password": "${PASSWORD}"\n}`,
    [PASSWORD],
    ['"email": "admin@example.com"', '"password": "[REDACTED]"'],
  ],
  [
    'tokens in a login answer (≤ 1.9.1)',
    `{"result":"success","data":{"access_token":"${JWT}","refresh_token":"${REFRESH}"}}`,
    [JWT, REFRESH],
    ['"result":"success"'],
  ],
  [
    'a Set-Cookie line of Dify ≥ 1.9.2',
    `Set-Cookie: __Host-access_token=${JWT}; Path=/; HttpOnly; Secure; SameSite=Lax`,
    [JWT],
    ['Set-Cookie: __Host-access_token=[REDACTED]; Path=/; HttpOnly; Secure; SameSite=Lax'],
  ],
  [
    'a Cookie header with every cookie and the CSRF header',
    `Cookie: access_token=${JWT}; refresh_token=${REFRESH}; csrf_token=${CSRF}; locale=ja-JP\nX-CSRF-Token: ${CSRF}`,
    [JWT, REFRESH, CSRF, 'ja-JP'],
    ['Cookie: access_token=[REDACTED]; refresh_token=[REDACTED]', 'X-CSRF-Token: [REDACTED]'],
  ],
  [
    'an Authorization header and a Bearer token quoted in an error',
    `Authorization: Bearer ${REFRESH}\nrequest failed (sent "Bearer ${JWT}"): 401`,
    [REFRESH, JWT],
    ['Authorization: Bearer [REDACTED]', 'request failed', ': 401'],
  ],
  [
    'Basic credentials of A1111 --api-auth',
    `Authorization: Basic ${Buffer.from('sd:hunter22').toString('base64')}\nLaunching Web UI with arguments: --api --api-auth sd:hunter22 --port 7860 --gradio-auth=me:pw,you:pw2`,
    [Buffer.from('sd:hunter22').toString('base64'), 'hunter22', 'me:pw'],
    [
      'Authorization: Basic [REDACTED]',
      '--api --api-auth [REDACTED] --port 7860',
      '--gradio-auth=[REDACTED]',
    ],
  ],
  [
    'a compose env dump (.env lines, YAML, an inspect Env list)',
    [
      'SECRET_KEY=sk-9f8e7d6c5b4a',
      'export DB_PASSWORD="difyai123456"',
      'PLUGIN_DAEMON_KEY=lYkiYYT6owG+71oLerGzA7GXCgOT++6ovaezWAjpCjf+Sjc3ZtU+qUEi',
      'GUNICORN_TIMEOUT=360',
      'LOG_DATEFORMAT=%Y-%m-%d %H:%M:%S',
      'OLLAMA_KEEP_ALIVE=5m',
      '    REDIS_PASSWORD: difyai123456',
      '    SANDBOX_API_KEY: dify-sandbox',
      '    CODE_EXECUTION_ENDPOINT: http://sandbox:8194',
      '"Env": ["INNER_API_KEY_FOR_PLUGIN=QaHbTe77CtuXmsfyhR7+vRjI/+XbV1AaFy691iy+kGDv2Jvy0/eAh8Y1","MODE=api"]',
    ].join('\n'),
    ['sk-9f8e7d6c5b4a', 'difyai123456', 'lYkiYYT6owG', 'dify-sandbox', 'QaHbTe77'],
    [
      'SECRET_KEY=[REDACTED]',
      'GUNICORN_TIMEOUT=360',
      'LOG_DATEFORMAT=%Y-%m-%d %H:%M:%S',
      'OLLAMA_KEEP_ALIVE=5m',
      'REDIS_PASSWORD: [REDACTED]',
      'CODE_EXECUTION_ENDPOINT: http://sandbox:8194',
      '"MODE=api"',
    ],
  ],
  [
    'a URL with credentials',
    'fetch http://admin:s3cr3t-pass@127.0.0.1:5001/console/api/login failed; proxy https://user:p%40ss@proxy.local:3128/',
    ['s3cr3t-pass', 'p%40ss'],
    ['http://admin:[REDACTED]@127.0.0.1:5001/console/api/login', 'https://user:[REDACTED]@proxy.local:3128/'],
  ],
  [
    'API keys and tokens in query strings',
    'GET /v1/models?api_key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&page=2 and /x?key=0123456789abcdef0123&token=abc123xyz&q=cats',
    ['AIzaSyD', '0123456789abcdef0123', 'abc123xyz'],
    ['api_key=[REDACTED]&page=2', 'key=[REDACTED]', 'token=[REDACTED]&q=cats'],
  ],
  [
    'a JWT on its own',
    `job output: got ${JWT} from refresh`,
    [JWT],
    ['job output: got [REDACTED] from refresh'],
  ],
];

describe('redactText', () => {
  it.each(CASES)('%s', (_what, input, gone, kept) => {
    const out = redactText(input);
    for (const secret of gone) expect(out).not.toContain(secret);
    for (const text of kept) expect(out).toContain(text);
    // Redacting twice changes nothing (the app log redacts text the services may have redacted).
    expect(redactText(out)).toBe(out);
  });

  it.each([
    ['an ordinary log line', '2026-12-03T16:30:00.000Z INFO job.succeeded kind=stack:start id=1f2e'],
    [
      'i18n keys and a log source key',
      '{"step":{"key":"stack.steps.waitHealthy"},"key":"service:plugin_daemon"}',
    ],
    [
      'timeout settings',
      'GUNICORN_TIMEOUT=360\nPLUGIN_MAX_EXECUTION_TIMEOUT=600\nFORCE_VERIFYING_SIGNATURE=false',
    ],
    ['a Windows path', 'C:\\Users\\Taro Yamada\\AppData\\Local\\dify-stack-tray\\logs\\app.log'],
    ['a URL without credentials', 'http://host.docker.internal:11434/api/tags?name=gemma3:12b'],
    ['an empty secret', 'SECRET_KEY=\nDB_PASSWORD=""'],
    ['the words themselves in prose', 'Enter the password and the API key in Settings; the token expired.'],
    ['a compose image list', 'langgenius/dify-api:1.9.1 langgenius/dify-plugin-daemon:0.3.0-local'],
    ['Japanese text', 'パスワードが違います: 詳細は下記をご覧ください。'],
  ])('leaves %s untouched', (_what, input) => {
    expect(redactText(input)).toBe(input);
  });
});

describe('redactValue', () => {
  it('removes secret-named values at any depth and keeps paths, numbers and empty values', () => {
    const settings = {
      difyDir: 'D:\\dify\\dify_latest\\docker',
      difyUrl: 'http://admin:pw123456@localhost',
      ollamaEnv: { OLLAMA_KEEP_ALIVE: '-1', HF_TOKEN: 'hf_abcdefghijklmnop123', OPENAI_API_KEY: '' },
      a1111Args: '--xformers --api-auth sd:hunter22',
      a1111Port: 7860,
      pluginDirs: ['D:\\plugins\\sd-tool'],
      nested: [{ password: 'x', Authorization: 'Bearer abc', key: 'status.dify.running' }],
    };
    expect(redactValue(settings)).toEqual({
      difyDir: 'D:\\dify\\dify_latest\\docker',
      difyUrl: `http://admin:${REDACTED}@localhost`,
      ollamaEnv: { OLLAMA_KEEP_ALIVE: '-1', HF_TOKEN: REDACTED, OPENAI_API_KEY: '' },
      a1111Args: `--xformers --api-auth ${REDACTED}`,
      a1111Port: 7860,
      pluginDirs: ['D:\\plugins\\sd-tool'],
      nested: [{ password: REDACTED, Authorization: REDACTED, key: 'status.dify.running' }],
    });
    // The input is not changed.
    expect(settings.ollamaEnv.HF_TOKEN).toBe('hf_abcdefghijklmnop123');
  });

  it('drops a secret-named object whole', () => {
    expect(redactValue({ credentials: { user: 'a', pass: 'b' }, count: 2 })).toEqual({
      credentials: REDACTED,
      count: 2,
    });
  });
});

describe('isSecretName', () => {
  it.each([
    ['password', undefined, true],
    ['__Host-csrf_token', undefined, true],
    ['Set-Cookie', undefined, true],
    ['SECRET_KEY', undefined, true],
    ['key', 'status.dify.running', false],
    ['key', '0123456789abcdef0123', true],
    ['monkey', 'x', false],
    ['GUNICORN_TIMEOUT', '360', false],
  ])('%s (%s) → %s', (name, value, expected) => {
    expect(isSecretName(name, value)).toBe(expected);
  });
});
