export { checkCommittedOutputs } from './committed-outputs.js';
export { carriesOutputBytes, commitInlineOutputs } from './inline-outputs.js';
export { RecentActivations } from './recent-activations.js';
export { resolveStageInputs, withInlineInputs } from './resolve-inputs.js';
export { stageSubmitProblem } from './submit-checks.js';
export { stageUploadTarget } from './upload-target.js';
