export type Ort = typeof import('onnxruntime-node');

let ortModule: Promise<Ort> | undefined;
/** onnxruntime-node loads a large native library: only when the first task that needs it arrives. */
export function loadOrt(): Promise<Ort> {
  ortModule ??= import('onnxruntime-node');
  return ortModule;
}

/** What a Node worker answers a task for a provider other than onnxruntime-node's `cpu`. */
export function nodeProviderProblem(executionProvider: string): string | undefined {
  if (executionProvider === 'cpu') return undefined;
  return `a Node worker runs onnxruntime-node's 'cpu' provider, not '${executionProvider}' (that one runs in browser workers)`;
}
