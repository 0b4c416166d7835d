import { stageSpeedsView } from '../../state/index.js';
import { writeJson } from '../errors.js';
import type { RouteCall, RouteDeps } from '../route.js';

/** `GET /api/shard/speeds`: the stage speed history sharded runs place their stages by. */
export function stageSpeeds({ res }: RouteCall, { ctx }: RouteDeps): void {
  writeJson(res, 200, stageSpeedsView(ctx.state));
}
