import { UsageError } from '../usage-error.js';
import { azure } from './azure.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { jenkins } from './jenkins.js';
import type { CiProvider } from './provider.js';

export const CI_PROVIDERS: readonly CiProvider[] = [github, gitlab, jenkins, azure];

/** The provider named, or the one the environment says runs the job. */
export function ciProvider(name: string | undefined, env: NodeJS.ProcessEnv): CiProvider {
  const names = CI_PROVIDERS.map((p) => p.name).join(', ');
  if (name !== undefined) {
    const named = CI_PROVIDERS.find((p) => p.name === name);
    if (named === undefined)
      throw new UsageError(`unknown CI provider '${name}' (known: ${names})`);
    return named;
  }
  const detected = CI_PROVIDERS.find((p) => p.detect(env));
  if (detected === undefined) {
    const variables = CI_PROVIDERS.map((p) => p.detectedBy).join(', ');
    throw new UsageError(
      `no CI system found in the environment (none of ${variables} is set): give --provider (${names}), or use dtf run`,
    );
  }
  return detected;
}
