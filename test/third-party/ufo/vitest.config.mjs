// Added to the pinned copy: without a config of its own, vitest would take DTF's, found above.
export default {};
