/**
 * Every test file gets its own XDG_CONFIG_HOME, removed after it: services built in the test process
 * (and the programs it spawns, which inherit the environment) keep settings, app logs, .env backups,
 * locks and caches there instead of the developer's own ~/.config/dify-stack-tray. A test that wants
 * another folder still passes its own env or paths; this only replaces the user's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const previous = process.env.XDG_CONFIG_HOME;
const home = mkdtempSync(join(tmpdir(), 'dst-config-home-'));
process.env.XDG_CONFIG_HOME = home;

afterAll(() => {
  if (previous === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = previous;
  rmSync(home, { recursive: true, force: true });
});
