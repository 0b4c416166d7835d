import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where tests keep what a person may want to look at afterwards (screenshots): kept, not cleaned up. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** The path of artifact `name`, its directory made. */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return `${ARTIFACTS_DIR}${name}`;
}
