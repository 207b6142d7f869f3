import { dockerEngineAvailable, inCI } from '../helpers/docker-available';
import { ensureTestImage } from '../helpers/test-image';

/** Builds the local test image once per run. In CI a missing engine is a failure, never a skip. */
export default function setup(): void {
  if (!dockerEngineAvailable()) {
    if (inCI) throw new Error('CI=true but no Docker engine answers: run scripts/setup-test-env.sh');
    return;
  }
  ensureTestImage();
}
