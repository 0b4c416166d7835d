// Writes docs/api.md from the coordinator's route table and the protocol's message schemas.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiReference, ROUTES } from '../dist/coordinator/index.js';

const target = fileURLToPath(new URL('../docs/api.md', import.meta.url));
writeFileSync(target, apiReference(ROUTES));
console.log(`wrote ${target}`);
