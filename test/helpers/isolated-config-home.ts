/**
 * Every test file gets its own XDG_CONFIG_HOME, removed after it: services built in the test process
 * (and the programs it spawns, which inherit the environment) keep settings, app logs, .env backups,
 * locks and caches there instead of the developer's own ~/.config/dify-stack-tray. A test that wants
 * another folder still passes its own env or paths; this only replaces the user's.
 */
import { afterAll } from 'vitest';
import { createTempDirSync, removeTempDir } from './temp-dir';

const previous = process.env.XDG_CONFIG_HOME;
const home = createTempDirSync('dst-config-home-');
process.env.XDG_CONFIG_HOME = home;

afterAll(async () => {
  if (previous === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = previous;
  await removeTempDir(home);
});
