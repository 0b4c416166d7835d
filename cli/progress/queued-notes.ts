import type { DtfClient } from '../../client/index.js';
import type { TaskEvent } from '../../protocol/index.js';
import type { QueuedNote } from './progress-line.js';

/** How often the coordinator is asked why queued tasks wait, while some do. */
const POLL_MS = 1_000;
/** The most queued tasks asked about at once. */
const MAX_ASKED = 1_000;

/**
 * Why the followed tasks that are queued wait, as the coordinator explains it in their views
 * (`unschedulable`): asked every second while any is queued, since no event says when the
 * reason appears or changes (a worker connects, leaves, drains).
 */
export class QueuedNotes {
  private readonly queued = new Set<string>();
  private notes = new Map<string, string>();
  private more = false;
  private timer: NodeJS.Timeout | undefined;
  private asking = false;

  constructor(
    private readonly client: DtfClient,
    /** Called when the notes changed. */
    private readonly changed: () => void,
  ) {}

  /** Keeps track of which tasks are queued now. */
  saw(event: TaskEvent): void {
    if (event.state === 'queued') {
      this.queued.add(event.taskId);
      return;
    }
    this.queued.delete(event.taskId);
    this.notes.delete(event.taskId);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.ask(), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Queued tasks by reason; tasks queued without one (waiting for a free slot) are left out. */
  summary(): QueuedNote[] {
    const counts = new Map<string, number>();
    for (const [taskId, note] of this.notes) {
      if (this.queued.has(taskId)) counts.set(note, (counts.get(note) ?? 0) + 1);
    }
    return [...counts].map(([note, count]) => ({ note, count, atLeast: this.more }));
  }

  private async ask(): Promise<void> {
    if (this.asking) return;
    if (this.queued.size === 0) {
      this.update(new Map(), false);
      return;
    }
    this.asking = true;
    try {
      const taskIds = [...this.queued].slice(0, MAX_ASKED);
      const views = await this.client.query({ taskIds, state: 'queued', limit: MAX_ASKED });
      const notes = new Map<string, string>();
      for (const view of views) {
        if (view.unschedulable !== undefined) notes.set(view.id, view.unschedulable);
      }
      this.update(notes, this.queued.size > taskIds.length);
    } catch {
      // The wait itself reports a lost connection; the notes stay as last known.
    } finally {
      this.asking = false;
    }
  }

  private update(notes: Map<string, string>, more: boolean): void {
    const same =
      notes.size === this.notes.size &&
      more === this.more &&
      [...notes].every(([taskId, note]) => this.notes.get(taskId) === note);
    this.notes = notes;
    this.more = more;
    if (!same) this.changed();
  }
}
