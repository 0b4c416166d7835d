import type { History, Operation } from './types.js';

/** An invoked operation waiting for its answer. */
export interface PendingCall<O> {
  /** The operation returned `output`. */
  respond(output: O): void;
  /** The operation certainly had no effect (e.g. refused before it reached the log): drop it. */
  discard(): void;
}

interface Recorded<I, O> {
  clientId: string | number;
  input: I;
  output?: O;
  call: number;
  return?: number;
  discarded: boolean;
}

/**
 * Records a client history for the checker. By default time is a logical counter: every
 * invocation and response takes the next tick, which is a valid real-time order as long as
 * the clients run in this process and `invoke` is called before the request is sent and
 * `respond` after its answer arrived. Operations never responded to stay without a return
 * (they may or may not have taken effect).
 */
export class HistoryRecorder<I, O> {
  private readonly operations: Recorded<I, O>[] = [];
  private tick = 0;

  constructor(private readonly clock: () => number = () => this.tick++) {}

  invoke(clientId: string | number, input: I): PendingCall<O> {
    const operation: Recorded<I, O> = { clientId, input, call: this.clock(), discarded: false };
    this.operations.push(operation);
    let settled = false;
    const settle = () => {
      if (settled) throw new Error(`operation of client ${clientId} already settled`);
      settled = true;
    };
    return {
      respond: (output) => {
        settle();
        operation.output = output;
        operation.return = this.clock();
      },
      discard: () => {
        settle();
        operation.discarded = true;
      },
    };
  }

  /**
   * Invokes `perform` as one operation: its value is the output; if it throws, the operation
   * stays without a return (an ambiguous failure) and the error is rethrown.
   */
  async run(clientId: string | number, input: I, perform: () => Promise<O>): Promise<O> {
    const call = this.invoke(clientId, input);
    const output = await perform();
    call.respond(output);
    return output;
  }

  /** The history so far, operations in invocation order. */
  history(): History<I, O> {
    return this.operations
      .filter((op) => !op.discarded)
      .map(
        ({ clientId, input, output, call, return: ret }): Operation<I, O> =>
          ret === undefined
            ? { clientId, input, call }
            : { clientId, input, output, call, return: ret },
      );
  }
}
