export { chatTurnWorkflow } from './chat-turn.js';
