// A page-test module: each function of `tests` runs in a browser worker's page, and passes
// when it returns (or resolves) without throwing. Submit it as a `page-test` task whose
// payload.module is this file's URL.

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export const tests = {
  'arithmetic works': () => {
    assert(0.1 + 0.2 !== 0.3, 'floating point is IEEE 754');
    assert(Math.imul(0x7fffffff, 2) === -2, 'Math.imul wraps to 32 bits');
  },
  'typed arrays are little-endian': () => {
    const bytes = new Uint8Array(new Uint32Array([1]).buffer);
    assert(bytes[0] === 1, 'the lowest byte comes first');
  },
  'async tests are awaited': async () => {
    const value = await new Promise((resolve) => setTimeout(() => resolve(42), 10));
    assert(value === 42, 'the timer resolved');
  },
  'the page has a DOM': () => {
    const element = document.createElement('div');
    element.textContent = 'dtf';
    assert(element.outerHTML === '<div>dtf</div>', 'elements serialize');
  },
};
