// A chat completion request (or a Responses request mapped onto one) as the fields of the chat turn it starts:
// the question and history from its messages, and only the sampling, tools, output format and capabilities it set.
import type { Sampling } from '../../domain/chat/chat-request.js';
import type { GenerationOptions, RequiredCapability } from '../../domain/chat/model-request.js';
import type { AdmittedTurn } from '../chat/admitted-turn.js';
import type { TurnMessages } from './turn-messages.js';

export interface TurnRequest {
  turn: TurnMessages;
  sampling: Sampling | undefined;
  generation: GenerationOptions | undefined;
  requires: RequiredCapability[];
}

export function turnFieldsOf({ turn, sampling, generation, requires }: TurnRequest): Pick<AdmittedTurn, 'question' | 'history' | 'questionParts' | 'continuation' | 'instructions' | 'sampling' | 'generation' | 'requires'> {
  return {
    question: turn.question, history: turn.history,
    ...(turn.questionParts ? { questionParts: turn.questionParts } : {}),
    ...(turn.continuation ? { continuation: turn.continuation } : {}),
    ...(turn.instructions ? { instructions: turn.instructions } : {}),
    ...(sampling ? { sampling } : {}),
    ...(generation ? { generation } : {}),
    ...(requires.length > 0 ? { requires } : {}),
  };
}
