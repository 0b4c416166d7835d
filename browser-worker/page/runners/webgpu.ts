import type {
  Assignment,
  ShaderBuffer,
  WebgpuOutput,
  WebgpuPayload,
  WgslScalar,
} from '../../../protocol/index.js';
import { errorText, type TaskRunner } from '../../../worker-core/index.js';
import { elapsed } from '../elapsed.js';
import { openGpu } from '../gpu.js';

type WebgpuAssignment = Extract<Assignment, { kind: 'webgpu' }>;
type ScalarArray = Float32Array | Uint32Array | Int32Array;

const ARRAY_OF: Record<WgslScalar, new (buffer: ArrayBuffer) => ScalarArray> = {
  f32: Float32Array,
  u32: Uint32Array,
  i32: Int32Array,
};

/** A failure of the task (the shader, its buffers, its numbers), as opposed to the runner. */
class TaskFailure extends Error {}

/** Compiles and dispatches a WGSL compute shader, reads buffers back and checks them. */
export const webgpuRunner: TaskRunner<WebgpuAssignment> = {
  async run({ payload }, signal) {
    const started = performance.now();
    const gpu = await openGpu();
    if (!gpu.ok) return { status: 'unsupported', durationMs: elapsed(started), error: gpu.reason };
    try {
      const dispatched = await dispatch(gpu.device, payload, signal);
      const { maxAbsError, error } = compareWithExpected(payload, dispatched.buffers);
      const output: WebgpuOutput = { ...dispatched, adapter: gpu.info, maxAbsError };
      const durationMs = elapsed(started);
      if (error !== undefined) return { status: 'failed', durationMs, error, output };
      return { status: 'succeeded', durationMs, output };
    } catch (error) {
      const message = error instanceof TaskFailure ? error.message : errorText(error);
      return { status: 'failed', durationMs: elapsed(started), error: message };
    } finally {
      gpu.device.destroy();
    }
  },
};

async function dispatch(
  device: GPUDevice,
  payload: WebgpuPayload,
  signal: AbortSignal,
): Promise<Omit<WebgpuOutput, 'adapter'>> {
  const compileStarted = performance.now();
  const module = device.createShaderModule({ code: payload.shader });
  const { messages } = await module.getCompilationInfo();
  const errors = messages.filter((message) => message.type === 'error');
  if (errors.length > 0) {
    const lines = errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    throw new TaskFailure(`WGSL compilation failed:\n${lines.join('\n')}`);
  }
  device.pushErrorScope('validation');
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module, entryPoint: payload.entryPoint },
  });
  const compileMs = elapsed(compileStarted);
  signal.throwIfAborted();

  const buffers = payload.buffers.map((spec) => ({ spec, buffer: storageBuffer(device, spec) }));
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map(({ spec, buffer }) => ({ binding: spec.binding, resource: { buffer } })),
  });
  const reads = buffers
    .filter(({ spec }) => spec.read)
    .map(({ spec, buffer }) => ({
      spec,
      buffer,
      staging: device.createBuffer({
        size: buffer.size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
    }));
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x = 1, y = 1, z = 1] = payload.workgroups;
  pass.dispatchWorkgroups(x, y, z);
  pass.end();
  for (const { buffer, staging } of reads)
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);

  const dispatchStarted = performance.now();
  device.queue.submit([encoder.finish()]);
  const invalid = await device.popErrorScope();
  if (invalid !== null) throw new TaskFailure(`WebGPU validation error: ${invalid.message}`);
  const read: Record<string, number[]> = {};
  for (const { spec, staging } of reads) {
    await staging.mapAsync(GPUMapMode.READ);
    const mapped = new ARRAY_OF[spec.type](staging.getMappedRange());
    const numbers = Array.from(mapped.subarray(0, elementsOf(spec)));
    staging.unmap();
    if (!numbers.every(Number.isFinite)) {
      throw new TaskFailure(
        `binding ${spec.binding} holds NaN or infinite values after the dispatch`,
      );
    }
    read[String(spec.binding)] = numbers;
  }
  return { kind: 'webgpu', compileMs, dispatchMs: elapsed(dispatchStarted), buffers: read };
}

function elementsOf(spec: ShaderBuffer): number {
  return spec.data?.length ?? spec.length ?? 0;
}

function storageBuffer(device: GPUDevice, spec: ShaderBuffer): GPUBuffer {
  // Buffer sizes must be a multiple of 4 and not zero; every scalar here is 4 bytes.
  const buffer = device.createBuffer({
    size: Math.max(4, elementsOf(spec) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  if (spec.data !== undefined) new ARRAY_OF[spec.type](buffer.getMappedRange()).set(spec.data);
  buffer.unmap();
  return buffer;
}

/** The largest difference from the expected values, and what is wrong if anything is. */
function compareWithExpected(
  payload: WebgpuPayload,
  buffers: Record<string, number[]>,
): { maxAbsError?: number; error?: string } {
  const expected = payload.expected;
  if (expected === undefined) return {};
  const actual = buffers[String(expected.binding)];
  if (actual === undefined) {
    return {
      error: `expected values are given for binding ${expected.binding}, but that buffer is not read back (set read: true)`,
    };
  }
  if (actual.length !== expected.data.length) {
    return {
      error: `binding ${expected.binding} has ${actual.length} values, expected ${expected.data.length}`,
    };
  }
  let maxAbsError = 0;
  for (const [i, value] of actual.entries()) {
    maxAbsError = Math.max(maxAbsError, Math.abs(value - expected.data[i]!));
  }
  if (maxAbsError <= expected.tolerance) return { maxAbsError };
  return {
    maxAbsError,
    error: `max abs error ${maxAbsError} exceeds the tolerance ${expected.tolerance}`,
  };
}
