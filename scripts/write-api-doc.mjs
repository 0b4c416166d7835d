// Writes docs/api.md from the coordinator's route table (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiReference, ROUTES } from '../dist/coordinator/http/index.js';

const target = fileURLToPath(new URL('../docs/api.md', import.meta.url));
writeFileSync(target, apiReference(ROUTES));
console.log(`wrote ${target}`);
