import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Set once the build ran in this vitest process: each project that needs it runs this setup. */
const BUILT = 'DTF_TEST_BUILD_DONE';

/** Integration and e2e tests run the compiled CLI and its worker page: build both once first. */
export default function setup(): void {
  if (process.env[BUILT] === '1') return;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-page.mjs'], { cwd: root, stdio: 'inherit' });
  process.env[BUILT] = '1';
}
