/** What `dtf pool --min --max` keeps its browsers within, and how it decides. */
export interface AutoscaleLimits {
  min: number;
  max: number;
  /** How long the queue must have been empty before idle browsers are closed. */
  scaleDownAfterMs: number;
  /** The memory one more browser is taken to need (with its worker page), in MB. */
  browserMb: number;
  /** Memory left to everything else on the machine, in MB: no browser is added into it. */
  reserveMb: number;
}

export interface AutoscaleView {
  /** Browsers of the pool, retiring ones left out. */
  members: number;
  /** Of them, those whose page runs nothing. */
  idle: number;
  /** Queued tasks a new browser could take. */
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
 * One decision: grow at once to meet the queue (a browser a queued task, up to `max`, as far as
 * the memory allows), shrink only once the queue has stayed empty for `scaleDownAfterMs`, and
 * then only idle browsers, never below `min`. Growing fast and shrinking slowly keeps a pool
 * from closing a browser that the next burst of tasks would have used.
 */
export function autoscaleStep(limits: AutoscaleLimits, view: AutoscaleView): AutoscaleStep {
  const { members } = view;
  if (members < limits.min) {
    return { add: limits.min - members, retire: 0, reason: `below --min ${limits.min}` };
  }
  if (view.queued > 0) {
    const wanted = Math.min(limits.max, members + view.queued) - members;
    if (wanted <= 0) return { add: 0, retire: 0 };
    const affordable = Math.floor((view.freeMb - limits.reserveMb) / limits.browserMb);
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
