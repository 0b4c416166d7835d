import {
  parseWith,
  QuarantineRequest,
  quarantineKey,
  ReleaseRequest,
} from '../../../protocol/index.js';
import type { CoordinatorContext } from '../../context.js';
import type { Command } from '../../state/index.js';
import { sendRestError, writeJson } from '../errors.js';
import { auditedCall, type RouteCall, type RouteDeps } from '../route.js';

function listed(ctx: CoordinatorContext) {
  return { quarantined: [...ctx.state.quarantine.values()] };
}

function commitThenList(
  call: RouteCall,
  ctx: CoordinatorContext,
  command: Extract<Command, { type: 'QuarantineTest' | 'ReleaseTest' }>,
): void {
  ctx.commit.submit(
    { ...command, ...auditedCall(call) },
    () => writeJson(call.res, 200, listed(ctx)),
    (error) => sendRestError(call.res, error.code, error.message),
  );
}

export function listQuarantine({ res }: RouteCall, { ctx }: RouteDeps): void {
  writeJson(res, 200, listed(ctx));
}

export function quarantineTest(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(QuarantineRequest, call.body, 'quarantine request');
  if (!parsed.ok) sendRestError(call.res, parsed.error.code, parsed.error.message);
  else commitThenList(call, ctx, { type: 'QuarantineTest', now: ctx.now(), entry: parsed.message });
}

export function releaseTest(call: RouteCall, { ctx }: RouteDeps): void {
  const parsed = parseWith(ReleaseRequest, call.body, 'release request');
  if (!parsed.ok) {
    sendRestError(call.res, parsed.error.code, parsed.error.message);
    return;
  }
  const entry = parsed.message;
  if (!ctx.state.quarantine.has(quarantineKey(entry))) {
    const where = [entry.browser, entry.backend].filter(Boolean).join(' · ');
    sendRestError(
      call.res,
      'not_found',
      `'${entry.test}'${where === '' ? '' : ` (${where})`} is not quarantined`,
    );
    return;
  }
  commitThenList(call, ctx, { type: 'ReleaseTest', now: ctx.now(), entry });
}
