import { z } from 'zod';
import { testReportFields } from './test-report.js';

/**
 * An ES module imported in a browser worker's page. It exports `tests`: an object whose keys
 * are test names and whose values are functions (sync or async); a test passes when its
 * function returns without throwing.
 */
export const PageTestPayload = z
  .object({
    /**
     * Absolute URL, or a path on the coordinator such as `/examples/page-tests/basic.js` (the
     * coordinator serves examples/page-tests there). A module of another origin must be served
     * as text/javascript with an Access-Control-Allow-Origin header that admits the page.
     */
    module: z.string().min(1).max(2048),
  })
  .strict();
export type PageTestPayload = z.infer<typeof PageTestPayload>;

export const PageTestOutput = z.object({ kind: z.literal('page-test'), ...testReportFields });
export type PageTestOutput = z.infer<typeof PageTestOutput>;
