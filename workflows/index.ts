export { chatTurnWorkflow } from './chat-turn.js';
export { fusionWorkflow } from './fusion.js';
