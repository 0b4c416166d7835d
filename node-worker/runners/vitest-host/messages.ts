import { z } from 'zod';

/**
 * What a Node worker and the warm vitest it keeps (see host.ts) say to each other over the
 * child's IPC channel. Both ends check what they receive: a host runs a project's own code.
 */

/** How the worker starts a host: in its argv, as JSON. */
export const HostStart = z
  .object({
    /** vitest's Node API (`vitest/node`) of the project, a file path. */
    vitestNode: z.string().min(1),
    /** `vitest run` arguments that hold for every run of this host (no files, no name pattern). */
    args: z.array(z.string()),
  })
  .strict();
export type HostStart = z.infer<typeof HostStart>;

export const ToHost = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('run'),
      files: z.array(z.string()),
      testNamePattern: z.string().optional(),
      /** Where vitest's JSON reporter writes this run's report. */
      reportFile: z.string().min(1),
      /** Where the file-durations reporter writes this run's durations. */
      durationsFile: z.string().min(1),
    })
    .strict(),
  z.object({ type: z.literal('close') }).strict(),
]);
export type ToHost = z.infer<typeof ToHost>;

export const FromHost = z.discriminatedUnion('type', [
  /** Ready for runs; a change to one of `configFiles` means a fresh host is needed. */
  z.object({ type: z.literal('ready'), configFiles: z.array(z.string()).max(10_000) }).strict(),
  /** This project cannot run warm (the reason is for the log); the worker starts vitest per task. */
  z.object({ type: z.literal('unsupported'), reason: z.string().max(4_096) }).strict(),
  /** The run ended, as `vitest run` would have exited. */
  z.object({ type: z.literal('done'), exitCode: z.number().int() }).strict(),
]);
export type FromHost = z.infer<typeof FromHost>;
