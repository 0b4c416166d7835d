import { describe, it } from 'vitest';
import { leaderKillScenario } from '../support/raft-failover.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

describe('the Raft leader killed with SIGKILL with 2,000 tasks in flight', () => {
  // 2,200 task processes through a three-member cluster on two cores: about 30 s on a quiet
  // machine, over 120 s with a CPU hog on each core. The limit only catches a hang.
  it('a new leader is elected and accepts submits; every acknowledged task ends exactly once', async () => {
    await leaderKillScenario({ tasks: 2_000, afterFailover: 200, killAfterEnded: 500 });
  }, 600_000);
});
