/**
 * What `dtf pool --min --max` keeps its browsers within, or `dtf worker --min --max` its Node
 * workers, and how it decides.
 */
export interface AutoscaleLimits {
  min: number;
  max: number;
  /** How long the queue must have been empty before idle members are closed. */
  scaleDownAfterMs: number;
  /** The memory one more member is taken to need (a browser with its page, a worker), in MB. */
  memberMb: number;
  /** Memory left to everything else on the machine, in MB: no member is added into it. */
  reserveMb: number;
  /** The tasks one member runs at once (a Node worker's slots; a browser's 1). */
  tasksPerMember: number;
}

/** Whether the queue had to stay empty before idle members close: 10 s. */
export const DEFAULT_SCALE_DOWN_AFTER_MS = 10_000;
/** A Node worker with its own slots, its tasks and their test runners: room for them. */
export const DEFAULT_WORKER_MB = 1_024;
/** Memory kept for the rest of the machine. */
export const DEFAULT_RESERVE_MB = 512;

export interface AutoscaleView {
  /** Members of the pool, retiring ones left out. */
  members: number;
  /** Of them, those that run nothing. */
  idle: number;
  /** Queued tasks a new member could take. */
  queued: number;
  /** Since when the queue has been empty; undefined while it is not. */
  emptySince: number | undefined;
  now: number;
  /** The machine's available memory, in MB. */
  freeMb: number;
}

export interface AutoscaleStep {
  add: number;
  retire: number;
  reason?: string;
}

/**
 * One decision: grow at once to meet the queue (a member for every `tasksPerMember` queued
 * tasks, up to `max`, as far as the memory allows), shrink only once the queue has stayed empty
 * for `scaleDownAfterMs`, and then only idle members, never below `min`. Growing fast and
 * shrinking slowly keeps a pool from closing a member that the next burst of tasks would use.
 */
export function autoscaleStep(limits: AutoscaleLimits, view: AutoscaleView): AutoscaleStep {
  const { members } = view;
  if (members < limits.min) {
    return { add: limits.min - members, retire: 0, reason: `below --min ${limits.min}` };
  }
  if (view.queued > 0) {
    const needed = Math.ceil(view.queued / limits.tasksPerMember);
    const wanted = Math.min(limits.max, members + needed) - members;
    if (wanted <= 0) return { add: 0, retire: 0 };
    const affordable = Math.floor((view.freeMb - limits.reserveMb) / limits.memberMb);
    const add = Math.max(0, Math.min(wanted, affordable));
    const memory =
      add < wanted
        ? `; ${wanted - add} more would not fit in ${Math.round(view.freeMb)} MB free`
        : '';
    return { add, retire: 0, reason: `${view.queued} queued${memory}` };
  }
  const emptyFor = view.emptySince === undefined ? 0 : view.now - view.emptySince;
  if (members > limits.min && emptyFor >= limits.scaleDownAfterMs) {
    const retire = Math.min(members - limits.min, view.idle);
    if (retire > 0) {
      return { add: 0, retire, reason: `queue empty for ${Math.round(emptyFor / 1000)} s` };
    }
  }
  return { add: 0, retire: 0 };
}
