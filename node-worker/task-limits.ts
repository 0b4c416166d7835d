import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CommandPayload } from '../protocol/index.js';

/** What a worker lets `command` tasks do (`dtf worker --allow-command`, …; docs/security.md). */
export interface TaskLimits {
  /** The programs command tasks may run: a name matches it on the PATH, a path only itself. */
  allowCommands?: readonly string[] | undefined;
  /** Refuse `shell: true` tasks: a script can run any program. */
  denyShell?: boolean | undefined;
  /** Commands run in this directory, or in one below it they name; none outside. */
  workDir?: string | undefined;
  /** CPU seconds each process of a task may use (RLIMIT_CPU); it is killed past them. */
  cpuSeconds?: number | undefined;
  /** Memory each process of a task may allocate (RLIMIT_DATA), in MiB. */
  memoryMb?: number | undefined;
}

/** The environment variables that hold a worker's or coordinator's secrets: never passed on. */
const SECRET_VARIABLES = ['DTF_TOKEN', 'DTF_WORKER_TOKEN', 'DTF_ADMIN_KEY', 'DTF_CLUSTER_TOKEN'];

/** This process's environment without the secrets: what every task process starts from. */
export function taskEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of SECRET_VARIABLES) delete env[name];
  return env;
}

/** A task's program and working directory once the limits allowed them. */
export interface AllowedCommand {
  cwd: string | undefined;
}

/**
 * Why this worker refuses a command task, or where it runs: the reason names the rule and
 * the option that set it, so the submitter knows which worker to ask for instead.
 */
export function checkCommand(
  payload: Pick<CommandPayload, 'command' | 'shell' | 'cwd'>,
  limits: TaskLimits,
): { refused: string } | AllowedCommand {
  const { allowCommands, denyShell, workDir } = limits;
  if (payload.shell && denyShell === true) {
    return {
      refused:
        'this worker runs no shell scripts (--deny-shell): give the program and its args instead',
    };
  }
  if (allowCommands !== undefined) {
    if (payload.shell) {
      return {
        refused: `this worker runs only ${allowCommands.join(', ')} (--allow-command), and no shell script, which could run any program`,
      };
    }
    if (!allowCommands.some((allowed) => allows(allowed, payload.command))) {
      return {
        refused: `this worker does not run '${payload.command}': it runs only ${allowCommands.join(', ')} (--allow-command)`,
      };
    }
  }
  if (workDir === undefined) return { cwd: payload.cwd };
  return jailed(workDir, payload.cwd);
}

/** A name on the allow list matches the same name, on the PATH; a path matches only itself. */
function allows(allowed: string, command: string): boolean {
  if (allowed.includes('/')) return resolve(allowed) === resolve(command);
  return !command.includes('/') && basename(command) === allowed;
}

/** The working directory inside `workDir`, symbolic links followed; refused outside it. */
function jailed(workDir: string, cwd: string | undefined): { refused: string } | AllowedCommand {
  const root = realpathSync(workDir);
  const wanted = resolve(root, cwd ?? '.');
  const real = existsSync(wanted) ? realpathSync(wanted) : wanted;
  const inside = relative(root, real);
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) {
    return { cwd: real };
  }
  return {
    refused: `working directory ${cwd} is outside this worker's ${root} (--work-dir): commands run there or below it`,
  };
}

/**
 * The program and arguments that run `file argv` under the CPU and memory limits, through
 * util-linux's `prlimit` (the kernel's per-process limits, kept by the children it forks).
 */
export function withResourceLimits(
  file: string,
  argv: readonly string[],
  limits: TaskLimits,
): [string, string[]] {
  const set = [
    // SIGXCPU at the soft limit says why; the hard one, a second on, kills what ignores it.
    ...(limits.cpuSeconds === undefined
      ? []
      : [`--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`]),
    ...(limits.memoryMb === undefined ? [] : [`--data=${limits.memoryMb * 1024 * 1024}`]),
  ];
  if (set.length === 0) return [file, [...argv]];
  return ['prlimit', [...set, '--', file, ...argv]];
}

/** Refuses, at start, limits this machine cannot apply: CPU and memory limits need `prlimit`. */
export function checkLimitsApply(limits: TaskLimits): void {
  if (limits.workDir !== undefined && !existsSync(limits.workDir)) {
    throw new Error(`--work-dir ${limits.workDir} does not exist`);
  }
  if (limits.cpuSeconds === undefined && limits.memoryMb === undefined) return;
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      '--task-cpu-seconds and --task-memory-mb need prlimit (util-linux; apt-get install -y util-linux), which this machine lacks',
    );
  }
}
