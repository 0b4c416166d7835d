import { Router } from 'express';
import type { CoordinatorContext } from '../../context.js';
import { stageSpeedsView } from '../../state/index.js';

/** `GET /api/shard/speeds`: the stage speed history sharded runs place their stages by. */
export function shardSpeedRoutes(ctx: CoordinatorContext): Router {
  const router = Router();
  router.get('/shard/speeds', (_req, res) => {
    res.json(stageSpeedsView(ctx.state));
  });
  return router;
}
