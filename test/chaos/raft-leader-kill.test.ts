import { describe, it } from 'vitest';
import { leaderKillScenario } from '../support/raft-failover.js';
import { cleanUpAfterAll } from '../support/teardown.js';

cleanUpAfterAll();

describe('the Raft leader killed with SIGKILL with 2,000 tasks in flight', () => {
  it('a new leader is elected and accepts submits; every acknowledged task ends exactly once', async () => {
    await leaderKillScenario({ tasks: 2_000, afterFailover: 200, killAfterEnded: 500 });
  }, 120_000);
});
