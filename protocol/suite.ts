import { z } from 'zod';
import { TaskSpec } from './task.js';

/**
 * A suite file: named tasks run together as one group by `dtf run`. Relative `cwd` (command)
 * and `dir` (vitest) paths are taken from the suite file's own directory.
 */
export const Suite = z
  .object({
    name: z.string().min(1).max(256),
    description: z.string().optional(),
    tasks: z.array(TaskSpec).min(1),
  })
  .strict();
export type Suite = z.infer<typeof Suite>;
