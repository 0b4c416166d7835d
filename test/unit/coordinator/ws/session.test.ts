import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Admission, unfinishedCounts } from '../../../../coordinator/admission.js';
import type { Grant } from '../../../../coordinator/auth/index.js';
import type { CoordinatorContext } from '../../../../coordinator/context.js';
import { DEFAULT_ADMISSION } from '../../../../coordinator/defaults.js';
import { schedule } from '../../../../coordinator/scheduler/index.js';
import { apply, type Command, type StateEvent } from '../../../../coordinator/state/index.js';
import type { CommandSink } from '../../../../coordinator/store/index.js';
import { Session } from '../../../../coordinator/ws/session.js';
import { Subscriptions } from '../../../../coordinator/ws/subscriptions.js';
import { WorkerConnections } from '../../../../coordinator/ws/worker-connections.js';
import {
  type InboundMessage,
  PROTOCOL_VERSION,
  type RegisterMessage,
} from '../../../../protocol/index.js';
import {
  commandSpec,
  connectionOf,
  disconnectCommand,
  Harness,
  newState,
  nodeCapabilities,
  registerCommand,
} from '../../../support/fixtures.js';

/** A socket that keeps what is sent on it. */
class FakeSocket {
  readyState: number = WebSocket.OPEN;
  readonly sent: Array<Record<string, unknown>> = [];

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = WebSocket.CLOSED;
  }

  get ws(): WebSocket {
    return this as unknown as WebSocket;
  }
}

/**
 * A coordinator's WebSocket edge over a commit that holds commands until `commitNext`: the
 * log's order is the order of `submit`, as in the group commit and in Raft.
 */
class Edge {
  readonly state = newState();
  readonly workers = new WorkerConnections(this.state, pino({ level: 'silent' }));
  private readonly subscriptions = new Subscriptions();
  private readonly queued: Array<{ command: Command; done?: (events: StateEvent[]) => void }> = [];
  readonly submitted: Command[] = [];
  private readonly ctx: CoordinatorContext;

  constructor() {
    const commit: CommandSink = {
      state: this.state,
      submit: (command, done) => {
        this.submitted.push(command);
        this.queued.push(done === undefined ? { command } : { command, done });
      },
      submitAndWait: () => Promise.reject(new Error('not used by the WebSocket edge')),
    };
    this.ctx = {
      state: this.state,
      commit,
      admission: new Admission(DEFAULT_ADMISSION, unfinishedCounts(this.state)),
      logger: pino({ level: 'silent' }),
      maxMessageBytes: 1 << 20,
      now: () => 1_000,
    } as unknown as CoordinatorContext;
  }

  connect(grant: Grant | Grant['role'] = 'worker'): { session: Session; socket: FakeSocket } {
    const socket = new FakeSocket();
    const given = typeof grant === 'string' ? { role: grant } : grant;
    const session = new Session(this.ctx, socket.ws, given, {}, this.workers, this.subscriptions, {
      watch: () => {},
      unwatch: () => {},
    } as never);
    return { session, socket };
  }

  /** Commits the oldest queued command, and announces its events as the coordinator does. */
  commitNext(): void {
    const next = this.queued.shift();
    if (next === undefined) throw new Error('nothing queued');
    const events = apply(this.state, next.command);
    next.done?.(events);
    this.workers.deliver(events);
  }

  commitAll(): void {
    while (this.queued.length > 0) this.commitNext();
  }
}

const register = (secret?: string): RegisterMessage => ({
  v: PROTOCOL_VERSION,
  type: 'register',
  workerId: 'w',
  name: 'w',
  capabilities: nodeCapabilities(),
  labels: {},
  slots: 1,
  inFlight: [],
  ...(secret === undefined ? {} : { secret }),
});

describe('a worker that reconnects while its registration commits', () => {
  it('apply: the close of the first connection, logged after the second registration, changes nothing', () => {
    const h = new Harness();
    h.run({ ...registerCommand('w', { connection: 'A' }), draining: true });
    h.run(registerCommand('w', { connection: 'B' }));
    expect(h.run(disconnectCommand('w', h.now, 'A'))).toEqual([]);
    expect(h.state.workers.get('w')).toMatchObject({ status: 'connected', connection: 'B' });
    expect(h.run(disconnectCommand('w', h.now, 'B'))).toMatchObject([{ type: 'WorkerDrained' }]);
  });

  it('apply: a worker that is not draining stays schedulable', () => {
    const h = new Harness();
    h.submit(commandSpec());
    h.run(registerCommand('w', { connection: 'A' }));
    h.run(registerCommand('w', { connection: 'B' }));
    h.run(disconnectCommand('w', h.now, 'A'));
    expect(schedule(h.state)).toMatchObject([{ workerId: 'w' }]);
    h.run(disconnectCommand('w', h.now, connectionOf('w')));
    expect(h.state.workers.get('w')!.status).toBe('connected');
  });

  it('session: stays bound to the new socket, connected, and is given tasks there', () => {
    const edge = new Edge();
    // Registered once before, so it holds its secret.
    const first = edge.connect();
    first.session.handle(register());
    edge.commitAll();
    const secret = first.socket.sent.find((m) => m.type === 'registered')!.secret as string;
    first.socket.close();
    first.session.closed();
    edge.commitAll();

    const a = edge.connect();
    a.session.handle(register(secret));
    a.socket.close();
    a.session.closed();
    const b = edge.connect();
    b.session.handle(register(secret));
    // A's registration commits after A closed; its disconnect is logged after B's registration.
    edge.commitNext();
    edge.commitAll();
    const disconnects = edge.submitted.filter((c) => c.type === 'WorkerDisconnected');
    expect(disconnects).toHaveLength(2);
    expect(b.socket.sent).toMatchObject([{ type: 'registered', workerId: 'w' }]);
    expect(edge.state.workers.get('w')!.status).toBe('connected');

    edge.connect('admin').session.handle({
      v: PROTOCOL_VERSION,
      type: 'submit',
      id: 's',
      tasks: [commandSpec()],
    });
    edge.commitAll();
    const placements = schedule(edge.state);
    expect(placements).toMatchObject([{ workerId: 'w' }]);
    const assign = apply(edge.state, { type: 'AssignTasks', now: 2_000, placements });
    edge.workers.deliver(assign);
    expect(b.socket.sent.at(-1)).toMatchObject({ type: 'assign' });
  });
});

describe('Session.handle', () => {
  it("leaves a type no message has to the decoder, Object.prototype's names included", () => {
    const { session } = new Edge().connect('viewer');
    for (const type of ['constructor', 'toString', '__proto__', 'no-such-type']) {
      expect(session.refusal(type), type).toBeUndefined();
    }
    expect(session.refusal('submit')?.code).toBe('forbidden');
  });

  it('refuses a client message on a worker token even when handed it directly', () => {
    const edge = new Edge();
    const { session, socket } = edge.connect('worker');
    const cancel: InboundMessage = {
      v: PROTOCOL_VERSION,
      type: 'cancel',
      id: 'c1',
      taskIds: ['t1'],
    };
    session.handle(cancel);
    expect(socket.sent).toEqual([
      {
        v: PROTOCOL_VERSION,
        type: 'error',
        id: 'c1',
        code: 'forbidden',
        message: "a worker token may not send 'cancel'",
      },
    ]);
    expect(edge.submitted).toEqual([]);
  });
});
