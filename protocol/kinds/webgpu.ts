import { z } from 'zod';

export const WgslScalar = z.enum(['f32', 'u32', 'i32']);
export type WgslScalar = z.infer<typeof WgslScalar>;

export const ShaderBuffer = z
  .object({
    binding: z.number().int().nonnegative(),
    type: WgslScalar.default('f32'),
    /** Initial contents; omit for an output buffer and give `length` instead. */
    data: z.array(z.number()).optional(),
    length: z.number().int().positive().optional(),
    /** Copy this buffer back after the dispatch and report it. */
    read: z.boolean().default(false),
  })
  .strict()
  .refine((b) => b.data !== undefined || b.length !== undefined, {
    message: 'give data or length',
  });
export type ShaderBuffer = z.infer<typeof ShaderBuffer>;

/** A WGSL compute shader run once, its read-back buffer compared with the expected values. */
export const WebgpuPayload = z
  .object({
    shader: z.string().min(1).max(1_000_000),
    entryPoint: z.string().min(1).default('main'),
    workgroups: z.array(z.number().int().min(1).max(65_535)).min(1).max(3),
    buffers: z.array(ShaderBuffer).min(1).max(8),
    expected: z
      .object({
        binding: z.number().int().nonnegative(),
        data: z.array(z.number()),
        tolerance: z.number().nonnegative().default(1e-5),
      })
      .strict()
      .optional(),
  })
  .strict();
export type WebgpuPayload = z.infer<typeof WebgpuPayload>;

export const GpuAdapterInfo = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  isFallbackAdapter: z.boolean(),
});
export type GpuAdapterInfo = z.infer<typeof GpuAdapterInfo>;

export const WebgpuOutput = z.object({
  kind: z.literal('webgpu'),
  adapter: GpuAdapterInfo,
  compileMs: z.number().nonnegative(),
  dispatchMs: z.number().nonnegative(),
  /** Read-back buffers by binding. */
  buffers: z.record(z.string(), z.array(z.number())),
  maxAbsError: z.number().optional(),
});
export type WebgpuOutput = z.infer<typeof WebgpuOutput>;
