import { describe, expect, it } from 'vitest';
import {
  type AutoscaleLimits,
  type AutoscaleView,
  autoscaleStep,
} from '../../../worker-core/index.js';

const limits: AutoscaleLimits = {
  min: 1,
  max: 4,
  scaleDownAfterMs: 10_000,
  memberMb: 500,
  tasksPerMember: 1,
  reserveMb: 512,
};
const view = (over: Partial<AutoscaleView>): AutoscaleView => ({
  members: 1,
  idle: 1,
  queued: 0,
  emptySince: undefined,
  now: 100_000,
  freeMb: 8_000,
  ...over,
});

describe('autoscaleStep', () => {
  it('grows at once to a browser a queued task, up to --max', () => {
    expect(autoscaleStep(limits, view({ queued: 2 }))).toMatchObject({ add: 2, retire: 0 });
    expect(autoscaleStep(limits, view({ queued: 50, idle: 0 }))).toEqual({
      add: 3,
      retire: 0,
      reason: '50 queued',
    });
    expect(autoscaleStep(limits, view({ members: 4, queued: 50 }))).toEqual({ add: 0, retire: 0 });
  });

  it('adds no browser the free memory cannot hold, and says so', () => {
    expect(autoscaleStep(limits, view({ queued: 50, freeMb: 1_600 }))).toEqual({
      add: 2,
      retire: 0,
      reason: '50 queued; 1 more would not fit in 1600 MB free',
    });
    expect(autoscaleStep(limits, view({ queued: 50, freeMb: 700 }))).toMatchObject({ add: 0 });
  });

  it('shrinks only once the queue has stayed empty long enough, only idle browsers, never below --min', () => {
    const busyFour = view({ members: 4, idle: 2, emptySince: 95_000 });
    expect(autoscaleStep(limits, busyFour)).toEqual({ add: 0, retire: 0 });
    expect(autoscaleStep(limits, { ...busyFour, emptySince: 90_000 })).toEqual({
      add: 0,
      retire: 2,
      reason: 'queue empty for 10 s',
    });
    const allIdle = view({ members: 4, idle: 4, emptySince: 0 });
    expect(autoscaleStep(limits, allIdle)).toMatchObject({ retire: 3 });
    expect(autoscaleStep(limits, view({ members: 1, idle: 1, emptySince: 0 }))).toEqual({
      add: 0,
      retire: 0,
    });
  });

  it('keeps --min browsers up whatever the queue', () => {
    expect(autoscaleStep({ ...limits, min: 2 }, view({ members: 0, idle: 0 }))).toEqual({
      add: 2,
      retire: 0,
      reason: 'below --min 2',
    });
  });

  it('adds a member for every tasksPerMember queued tasks: Node workers of several slots', () => {
    const workers = { ...limits, max: 8, tasksPerMember: 4 };
    expect(autoscaleStep(workers, view({ queued: 1 }))).toMatchObject({ add: 1 });
    expect(autoscaleStep(workers, view({ queued: 9 }))).toMatchObject({ add: 3 });
    expect(autoscaleStep(workers, view({ members: 7, queued: 40 }))).toMatchObject({ add: 1 });
  });
});
