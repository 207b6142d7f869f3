/**
 * A second program opening the settings (as the app and a CLI run do): waits until the given moment so
 * two of these start together, opens the store, prints what it got. Used by two-processes.test.ts.
 */
import { SettingsStore } from '../../../electron/settings/store';

const [file, startAt] = process.argv.slice(2);
const wait = Math.max(0, Number(startAt) - Date.now());
setTimeout(() => {
  void SettingsStore.open(String(file)).then((store) => {
    process.stdout.write(JSON.stringify(store.get()));
  });
}, wait);
