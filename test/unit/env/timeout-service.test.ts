import { describe, expect, it } from 'vitest';
import { validateChange } from '../../../electron/env/timeout-service';

describe('validateChange', () => {
  it('catalog keys by the catalog (the reading program’s rules), others by the editor’s', () => {
    expect(validateChange('SANDBOX_WORKER_TIMEOUT', '10800')).toBeNull();
    expect(validateChange('PLUGIN_MAX_EXECUTION_TIMEOUT', '600.0')).toEqual({
      key: 'timeouts.validation.notInteger',
      params: {},
    });
    expect(validateChange('NGINX_PROXY_READ_TIMEOUT', '1h')).toBeNull();
    expect(validateChange('GUNICORN_TIMEOUT', '0')?.key).toBe('timeouts.validation.belowMin');
    expect(validateChange('SANDBOX_CPUS', '64')).toBeNull();
    expect(validateChange('BAD KEY', '1')).toEqual({
      key: 'timeouts.validation.badKey',
      params: { key: 'BAD KEY' },
    });
    expect(validateChange('LOG_LEVEL', 'a\0b')?.key).toBe('timeouts.validation.badCharacter');
  });
});
