import type WebSocket from 'ws';
import { PROTOCOL_VERSION, type TaskEvent } from '../../protocol/index.js';
import type { StateEvent } from '../state/index.js';
import { send } from './send.js';

interface Subscription {
  id: string;
  socket: WebSocket;
  taskIds?: Set<string>;
  group?: string;
}

/** Who wants to hear about which tasks; fans each batch of state events out to them. */
export class Subscriptions {
  private readonly byId = new Map<string, Subscription>();
  private readonly byGroup = new Map<string, Set<Subscription>>();
  private readonly byTask = new Map<string, Set<Subscription>>();
  private counter = 0;

  add(
    socket: WebSocket,
    selector: { taskIds?: string[] | undefined; group?: string | undefined },
  ): string {
    const id = `s${++this.counter}`;
    const sub: Subscription = { id, socket };
    if (selector.group !== undefined) {
      sub.group = selector.group;
      addTo(this.byGroup, selector.group, sub);
    } else {
      sub.taskIds = new Set(selector.taskIds);
      for (const taskId of sub.taskIds) addTo(this.byTask, taskId, sub);
    }
    this.byId.set(id, sub);
    return id;
  }

  remove(id: string, socket: WebSocket): boolean {
    const sub = this.byId.get(id);
    if (sub === undefined || sub.socket !== socket) return false;
    this.byId.delete(id);
    if (sub.group !== undefined) removeFrom(this.byGroup, sub.group, sub);
    for (const taskId of sub.taskIds ?? []) removeFrom(this.byTask, taskId, sub);
    return true;
  }

  removeSocket(socket: WebSocket): void {
    for (const sub of [...this.byId.values()])
      if (sub.socket === socket) this.remove(sub.id, socket);
  }

  /** Sends each task transition of a batch, as it was when it happened, to its subscribers. */
  publish(events: readonly StateEvent[]): void {
    if (this.byId.size === 0) return;
    const outbox = new Map<Subscription, TaskEvent[]>();
    for (const event of events) {
      if (!('update' in event)) continue;
      const { update } = event;
      const targets = [
        ...(this.byTask.get(update.taskId) ?? []),
        ...(update.group === undefined ? [] : (this.byGroup.get(update.group) ?? [])),
      ];
      for (const sub of targets) {
        const list = outbox.get(sub);
        if (list === undefined) outbox.set(sub, [update]);
        else list.push(update);
      }
    }
    for (const [sub, list] of outbox) {
      send(sub.socket, { v: PROTOCOL_VERSION, type: 'event', subscription: sub.id, events: list });
    }
  }
}

function addTo<K>(index: Map<K, Set<Subscription>>, key: K, sub: Subscription): void {
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([sub]));
  else set.add(sub);
}

function removeFrom<K>(index: Map<K, Set<Subscription>>, key: K, sub: Subscription): void {
  const set = index.get(key);
  set?.delete(sub);
  if (set?.size === 0) index.delete(key);
}
