import { describe, expect, it } from 'vitest';
import {
  LeadershipHandOver,
  mostCaughtUp,
} from '../../../../coordinator/cluster/leadership-transfer.js';
import { Cluster } from '../raft/cluster.js';

const ids = ['n1', 'n2', 'n3'];

describe('leadership hand-over', () => {
  it('picks a follower heard from recently with the longest log', () => {
    const f = (match: number, active: boolean) => ({ match, active });
    expect(
      mostCaughtUp(
        new Map([
          ['a', f(5, true)],
          ['b', f(7, true)],
        ]),
      ),
    ).toBe('b');
    expect(
      mostCaughtUp(
        new Map([
          ['a', f(5, true)],
          ['b', f(9, false)],
        ]),
      ),
    ).toBe('a');
    expect(mostCaughtUp(new Map())).toBeUndefined();
  });

  it('hands over to the caught-up follower and resolves once it leads', async () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n3');
    c.propose('n1', 'a');
    c.deliverAll();
    c.heal();
    const handOver = new LeadershipHandOver(c.node('n1'), () => {});
    const outcome = handOver.start(undefined, 10_000);
    c.deliverAll();
    handOver.check();
    expect(await outcome).toMatchObject({ from: 'n1', to: 'n2', leader: 'n2', handedOver: true });
    expect(c.node('n2').status()).toMatchObject({ role: 'leader', term: 2 });
  });

  it('refuses on a follower and for a member that is not another one, naming the problem', async () => {
    const c = new Cluster(ids);
    c.elect('n1');
    await expect(new LeadershipHandOver(c.node('n2'), () => {}).start('n3', 10)).rejects.toThrow(
      'n2 does not lead (the leader is n1)',
    );
    const leader = new LeadershipHandOver(c.node('n1'), () => {});
    await expect(leader.start('n9', 10)).rejects.toMatchObject({
      code: 'invalid_message',
      message: "cannot hand leadership to 'n9': not another member of this cluster (n2, n3)",
    });
  });

  it('reports a transfer that does not complete in time, with the leader unchanged', async () => {
    const c = new Cluster(ids);
    c.elect('n1');
    c.isolate('n2');
    const outcome = await new LeadershipHandOver(c.node('n1'), () => {}).start('n2', 20);
    expect(outcome).toMatchObject({ to: 'n2', leader: 'n1', handedOver: false });
  });
});
