import {
  type Assignment,
  type PluginOutput,
  type TaskResult,
  type TestCaseResult,
  TestStatus,
} from '../protocol/index.js';
import { errorText } from './error-text.js';

type PluginAssignment = Extract<Assignment, { kind: 'plugin' }>;

/** What a plugin runner is told besides its input. */
export interface PluginRunContext {
  /** Aborts when the task is cancelled or times out: the runner stops its work. */
  signal: AbortSignal;
  taskId: string;
  /** 1 for the first attempt, more for a retry. */
  attempt: number;
  /** The task's name, when it has one. */
  name?: string | undefined;
}

/** A test a plugin runner ran; every one is a case of the run's reports. */
export interface PluginTest {
  name: string;
  status: TestStatus;
  durationMs?: number;
  /** Why it failed. */
  error?: string;
  /** Where it is defined; default: the runner's name. */
  file?: string;
}

/** What a plugin runner returns; nothing at all is a success. */
export interface PluginRunResult {
  /** Kept in the task's result as it is (JSON), for reporters and `dtf tasks`. */
  output?: unknown;
  /** The tests it ran: a failed one fails the task. */
  tests?: readonly PluginTest[];
  /** Fails the task with this reason. */
  error?: string;
}

/**
 * Runs a new task kind: `run` takes the task's `input` and returns what happened, or throws,
 * which fails the task with the error. The same contract on a Node worker and in the page.
 */
export interface PluginRunner<Input = unknown> {
  run(
    input: Input,
    context: PluginRunContext,
  ): Promise<PluginRunResult | undefined> | PluginRunResult | undefined;
}

/** The most a runner's `output` may take as JSON: a result is one message of the wire. */
export const MAX_PLUGIN_OUTPUT_BYTES = 1024 * 1024;

function testCase(test: PluginTest, runner: string): TestCaseResult {
  const status = TestStatus.safeParse(test.status);
  const c: TestCaseResult = {
    name: String(test.name),
    file: typeof test.file === 'string' ? test.file : runner,
    status: status.success ? status.data : 'failed',
    durationMs: Number.isFinite(test.durationMs) ? Math.max(0, test.durationMs!) : 0,
  };
  if (!status.success) c.error = `the runner gave status ${JSON.stringify(test.status)}`;
  else if (test.error !== undefined) c.error = String(test.error);
  return c;
}

/** The runner's `output` as JSON, or why it cannot be kept. */
function jsonOutput(output: unknown): { json?: PluginOutput['output']; problem?: string } {
  if (output === undefined) return {};
  let text: string | undefined;
  try {
    text = JSON.stringify(output);
  } catch (error) {
    return { problem: `its output is not JSON: ${errorText(error)}` };
  }
  if (text === undefined) return { problem: 'its output is not JSON' };
  if (text.length > MAX_PLUGIN_OUTPUT_BYTES) {
    return {
      problem: `its output takes ${text.length} bytes as JSON, more than ${MAX_PLUGIN_OUTPUT_BYTES}`,
    };
  }
  return { json: JSON.parse(text) as PluginOutput['output'] };
}

/** A runner's answer as the task's result: failed when it says so or a test of it failed. */
export function pluginResult(runner: string, answer: unknown, durationMs: number): TaskResult {
  if (answer !== undefined && (typeof answer !== 'object' || answer === null)) {
    const error = `plugin runner '${runner}' returned a ${typeof answer}, not { output?, tests?, error? }`;
    return { status: 'failed', durationMs, error };
  }
  const returned = (answer ?? {}) as PluginRunResult;
  const tests = Array.isArray(returned.tests) ? returned.tests.map((t) => testCase(t, runner)) : [];
  const failed = tests.filter((t) => t.status === 'failed').length;
  const skipped = tests.filter((t) => t.status === 'skipped' || t.status === 'todo').length;
  const { json, problem } = jsonOutput(returned.output);
  const output: PluginOutput = {
    kind: 'plugin',
    runner,
    tests,
    passed: tests.length - failed - skipped,
    failed,
    skipped,
  };
  if (json !== undefined) output.output = json;
  const error =
    problem ??
    (returned.error !== undefined ? String(returned.error) : undefined) ??
    (failed > 0 ? `${failed} of ${tests.length} tests failed` : undefined);
  if (error === undefined) return { status: 'succeeded', durationMs, output };
  return { status: 'failed', durationMs, error, output };
}

/** Runs a plugin task's runner and turns what it returns, or throws, into the task's result. */
export async function runPlugin(
  runner: PluginRunner,
  assignment: PluginAssignment,
  signal: AbortSignal,
): Promise<TaskResult> {
  const started = performance.now();
  const { payload, taskId, attempt, name } = assignment;
  try {
    const answer = await runner.run(payload.input, { signal, taskId, attempt, name });
    return pluginResult(payload.runner, answer, performance.now() - started);
  } catch (error) {
    const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
    return {
      status: 'failed',
      durationMs: performance.now() - started,
      error: `plugin runner '${payload.runner}' threw: ${errorText(error)}${stack}`,
    };
  }
}

/** Whether `value` is a runner: an object with `run`. */
export function isPluginRunner(value: unknown): value is PluginRunner {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}
