import { describe, expect, it } from 'vitest';
import {
  describeConfigIssues,
  formatPath,
  locateKey,
} from '../../../../cli/config/config-issues.js';
import { DtfConfig } from '../../../../protocol/index.js';

const source = `import { defineConfig } from 'dtf';

export default defineConfig({
  projects: [
    {
      name: 'unit',
      runner: 'vitest',
      include: 'test/**',
    },
  ],
  worker: { count: 2 },
});
`;

describe('config issues', () => {
  it('writes a path as code would', () => {
    expect(formatPath(['projects', 0, 'include'])).toBe('projects[0].include');
    expect(formatPath([])).toBe('');
  });

  it('finds the line that writes a key, each key after the one before it', () => {
    expect(locateKey(source, ['projects', 0, 'include'])).toBe(8);
    expect(locateKey(source, ['worker'])).toBe(11);
    expect(locateKey('{ "a": { "b": 1 } }', ['a', 'b'])).toBe(1);
    expect(locateKey(source, ['absent'])).toBeUndefined();
  });

  it('names the file, the line, the option and the problem', () => {
    const value = {
      projects: [{ name: 'unit', runner: 'vitest', include: 'test/**' }],
      worker: { count: 2 },
    };
    const parsed = DtfConfig.safeParse(value);
    expect(parsed.success).toBe(false);
    const lines = describeConfigIssues(parsed.error!.issues, 'dtf.config.ts', source);
    expect(lines).toContain('dtf.config.ts:11: worker: unknown option');
    expect(lines.find((line) => line.startsWith('dtf.config.ts:8: projects[0].include: '))).toMatch(
      /expected array/,
    );
  });
});
