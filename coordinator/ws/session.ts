import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import {
  type ClientToCoordinator,
  type InboundMessage,
  MESSAGE_ROLES,
  ownEntry,
  PROTOCOL_VERSION,
  type ProtocolError,
  type RegisteredMessage,
  type RegisterMessage,
  type ResultReport,
  WORKER_MESSAGE_TYPES,
  type WorkerToCoordinator,
} from '../../protocol/index.js';
import type { Audited } from '../audit-stamp.js';
import type { Grant, Role } from '../auth/index.js';
import type { CoordinatorContext } from '../context.js';
import { ownerLimit, ownershipRefusal } from '../ownership.js';
import { listTasks } from '../queries.js';
import { requestRetarget } from '../retarget.js';
import {
  carriesOutputBytes,
  checkCommittedOutputs,
  commitInlineOutputs,
} from '../shard-stage/index.js';
import { enteredStateAt, taskEvent } from '../state/index.js';
import { submitSpecs } from '../submit.js';
import { claimWorkerId, registrationOutcome } from '../worker-identity.js';
import type { DashboardWatchers } from './dashboard-watchers.js';
import { handleDrainMessage, redrainOnRegister } from './drain-messages.js';
import { send, sendError } from './send.js';
import type { Subscriptions } from './subscriptions.js';
import type { WorkerConnections } from './worker-connections.js';

/** One WebSocket connection: a worker, a client, or (with an admin key) both. */
export class Session {
  private workerId: string | undefined;
  private isClosed = false;
  /** Names this connection in the worker's registration and in its disconnect. */
  private readonly connection = randomUUID();

  constructor(
    private readonly ctx: CoordinatorContext,
    private readonly socket: WebSocket,
    private readonly grant: Grant,
    /** Who this connection is, for the audit log of the changes it asks for. */
    private readonly audit: Audited,
    private readonly workers: WorkerConnections,
    private readonly subscriptions: Subscriptions,
    private readonly dashboards: DashboardWatchers,
  ) {}

  private get role(): Role {
    return this.grant.role;
  }

  /**
   * Why this connection may not send a message of `type` (asked before its body is read): the
   * roles the type allows (`MESSAGE_ROLES`), and for a submit its key's rate, so that a flood is
   * turned away unparsed. A type no message has is the decoder's to name.
   */
  refusal(type: string): ProtocolError | undefined {
    return (
      this.roleRefusal(type) ??
      (type === 'submit' ? this.ctx.admission.gate(this.grant.keyId) : undefined)
    );
  }

  private roleRefusal(type: string): ProtocolError | undefined {
    const allowed = ownEntry(MESSAGE_ROLES, type);
    if (allowed === undefined || allowed.includes(this.role)) return undefined;
    return { code: 'forbidden', message: `a ${this.role} token may not send '${type}'` };
  }

  /**
   * Handles a decoded message. Its type's roles are checked again here, the one `refusal` was
   * asked about being read from the text before it was parsed.
   */
  handle(message: InboundMessage): void {
    const refused = this.roleRefusal(message.type);
    if (refused !== undefined) {
      sendError(this.socket, refused, 'id' in message ? message.id : undefined);
      return;
    }
    if (WORKER_MESSAGE_TYPES.has(message.type)) {
      this.handleWorker(message as WorkerToCoordinator);
    } else {
      this.handleClient(message as ClientToCoordinator);
    }
  }

  closed(): void {
    this.isClosed = true;
    this.subscriptions.removeSocket(this.socket);
    this.dashboards.unwatch(this.socket);
    if (this.workerId !== undefined && this.workers.unbind(this.workerId, this.socket)) {
      this.disconnect(this.workerId);
    }
  }

  private disconnect(workerId: string): void {
    this.ctx.commit.submit({
      type: 'WorkerDisconnected',
      now: this.ctx.now(),
      workerId,
      connection: this.connection,
    });
  }

  private handleWorker(message: WorkerToCoordinator): void {
    if (message.type === 'register') {
      this.register(message);
      return;
    }
    const workerId = this.workerId;
    if (workerId === undefined) {
      sendError(this.socket, {
        code: 'not_registered',
        message: `'${message.type}' before 'register': register this worker first`,
      });
      return;
    }
    const now = this.ctx.now();
    switch (message.type) {
      case 'heartbeat':
        this.ctx.commit.submit({ type: 'Heartbeat', now, workerId });
        break;
      case 'progress':
        if (message.phase === 'started') {
          this.ctx.commit.submit({ type: 'StartTask', now, workerId, lease: message });
        }
        break;
      case 'result':
        this.recordResults(workerId, message.results);
        break;
      case 'draining':
      case 'release':
        handleDrainMessage(this.ctx, this.socket, workerId, message);
        break;
    }
  }

  /**
   * Records a worker's results once the outputs they name are committed: those carried inside
   * the message are stored first, then every shard-stage output is checked against the store.
   */
  private recordResults(workerId: string, results: ResultReport[]): void {
    const record = (reports: ResultReport[]) =>
      checkCommittedOutputs(this.ctx, workerId, reports, (checked) =>
        this.ctx.commit.submit({
          type: 'RecordResults',
          now: this.ctx.now(),
          workerId,
          reports: checked,
        }),
      );
    if (!results.some(carriesOutputBytes)) {
      record(results);
      return;
    }
    Promise.all(results.map((report) => commitInlineOutputs(this.ctx, workerId, report)))
      .then(record)
      .catch((error: unknown) =>
        this.ctx.logger.error({ err: error, workerId }, 'committing shard-stage outputs failed'),
      );
  }

  /**
   * Registers the worker once its claim on the id holds: a refused one gets an error and
   * touches nothing, so the worker that owns the id keeps its connection and its attempts.
   */
  private register(message: RegisterMessage): void {
    const { workerId } = message;
    const claimed = claimWorkerId(this.ctx.state, workerId, message.secret, this.role);
    if (!claimed.ok) {
      this.refuseRegistration(workerId, claimed.error, message.id);
      return;
    }
    const { claim } = claimed;
    this.ctx.commit.submit(
      {
        type: 'RegisterWorker',
        now: this.ctx.now(),
        workerId,
        name: message.name,
        capabilities: message.capabilities,
        labels: message.labels,
        slots: message.slots,
        inFlight: message.inFlight,
        connection: this.connection,
        ...(message.draining === true ? { draining: true } : {}),
        ...claim.proof,
      },
      (events) => {
        const outcome = registrationOutcome(workerId, claim, events);
        if (!outcome.ok) {
          this.refuseRegistration(workerId, outcome.error, message.id);
          return;
        }
        if (this.isClosed) {
          // Gone while the registration was being committed: connected here no more. (If the
          // worker registered again meanwhile, on another connection, this changes nothing.)
          this.disconnect(workerId);
          return;
        }
        this.workerId = workerId;
        this.workers.bind(workerId, this.socket);
        const reply: RegisteredMessage = {
          v: PROTOCOL_VERSION,
          type: 'registered',
          workerId,
          heartbeatIntervalMs: this.ctx.state.config.heartbeatIntervalMs,
          maxMessageBytes: this.ctx.maxMessageBytes,
        };
        if (message.id !== undefined) reply.id = message.id;
        if (outcome.secret !== undefined) reply.secret = outcome.secret;
        send(this.socket, reply);
        redrainOnRegister(this.ctx, this.socket, workerId, message);
        this.ctx.logger.info(
          { workerId, name: message.name, slots: message.slots },
          'worker registered',
        );
      },
    );
  }

  private refuseRegistration(workerId: string, error: ProtocolError, id: string | undefined): void {
    this.ctx.logger.info({ workerId, reason: error.message }, 'worker registration refused');
    sendError(this.socket, error, id);
  }

  private handleClient(message: ClientToCoordinator): void {
    const { id } = message;
    const now = this.ctx.now();
    switch (message.type) {
      case 'submit':
        submitSpecs(
          this.ctx,
          message.tasks,
          (outcome) => {
            if ('error' in outcome) sendError(this.socket, outcome.error, id);
            else
              send(this.socket, {
                v: PROTOCOL_VERSION,
                type: 'submitted',
                id,
                taskIds: outcome.taskIds,
              });
          },
          { ...this.grant, ...this.audit },
        );
        break;
      case 'cancel': {
        const refused = ownershipRefusal(this.ctx.state, this.grant, message);
        if (refused !== undefined) {
          sendError(this.socket, refused, id);
          break;
        }
        const owner = ownerLimit(this.grant);
        this.ctx.commit.submit(
          {
            type: 'CancelTasks',
            now,
            taskIds: message.taskIds,
            group: message.group,
            reason: 'cancelled by a client',
            ...(owner === undefined ? {} : { owner }),
            ...this.audit,
          },
          (events) => {
            const taskIds = events.flatMap((e) => (e.type === 'TaskEnded' ? [e.task.id] : []));
            send(this.socket, { v: PROTOCOL_VERSION, type: 'cancelled', id, taskIds });
          },
        );
        break;
      }
      case 'retarget':
        requestRetarget(this.ctx, message, { ...this.grant, ...this.audit }, (outcome) => {
          if ('error' in outcome) sendError(this.socket, outcome.error, id);
          else send(this.socket, { v: PROTOCOL_VERSION, type: 'retargeted', id, ...outcome });
        });
        break;
      case 'query':
        send(this.socket, {
          v: PROTOCOL_VERSION,
          type: 'tasks',
          id,
          tasks: listTasks(this.ctx.state, this.ctx.explainer, message, this.ctx.now()),
        });
        break;
      case 'subscribe': {
        const subscription = this.subscriptions.add(this.socket, message);
        const selected =
          message.group !== undefined
            ? (this.ctx.state.byGroup.get(message.group) ?? [])
            : (message.taskIds ?? []).flatMap((taskId) => this.ctx.state.tasks.get(taskId) ?? []);
        const snapshot = selected.map((task) => taskEvent(task, enteredStateAt(task)));
        send(this.socket, { v: PROTOCOL_VERSION, type: 'subscribed', id, subscription, snapshot });
        break;
      }
      case 'watch-dashboard':
        this.dashboards.watch(this.socket, message);
        break;
      case 'unsubscribe':
        if (this.subscriptions.remove(message.subscription, this.socket)) {
          send(this.socket, { v: PROTOCOL_VERSION, type: 'unsubscribed', id });
        } else {
          sendError(
            this.socket,
            {
              code: 'not_found',
              message: `no subscription '${message.subscription}' on this connection`,
            },
            id,
          );
        }
        break;
    }
  }
}
