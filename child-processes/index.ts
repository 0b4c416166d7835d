export { treeRssMb } from './process-memory.js';
export { killProcessGroup, killProcessGroupAndWait, killProcessTree } from './process-tree.js';
export { type ChildReaper, childReaper } from './reaper.js';
