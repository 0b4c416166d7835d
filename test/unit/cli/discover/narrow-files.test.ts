import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../cli/config/config-error.js';
import { narrow } from '../../../../cli/discover/vitest-files.js';

const files = ['test/a.test.ts', 'test/b.test.ts', 'test/types.test-d.ts', 'e2e/c.test.ts'];

describe('narrow', () => {
  it("keeps vitest's files that an include glob matches and no exclude glob does", () => {
    expect(narrow(files, { include: ['test/**'], exclude: ['**/*.test-d.ts'] }, 'p', '/x')).toEqual(
      ['test/a.test.ts', 'test/b.test.ts'],
    );
    expect(narrow(files, { exclude: [] }, 'p', '/x')).toEqual([...files].sort());
  });

  it('names an include glob that matches nothing, and what vitest found', () => {
    const narrowing = () =>
      narrow(files, { include: ['tests/**'], exclude: [] }, "project 'p'", '/x');
    expect(narrowing).toThrow(ConfigError);
    expect(narrowing).toThrow(
      "project 'p': include glob 'tests/**' matches none of the 4 test files vitest finds in /x (test/a.test.ts,",
    );
  });

  it('refuses a project left without files', () => {
    expect(() => narrow([], { exclude: [] }, "project 'p'", '/x')).toThrow(
      "project 'p': vitest finds no test file in /x",
    );
    expect(() => narrow(files, { exclude: ['**'] }, "project 'p'", '/x')).toThrow(
      "project 'p': exclude leaves none of the 4 test files",
    );
  });
});
