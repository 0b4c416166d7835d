import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Integration and e2e tests run the compiled CLI and its worker page: build both once first. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-page.mjs'], { cwd: root, stdio: 'inherit' });
}
