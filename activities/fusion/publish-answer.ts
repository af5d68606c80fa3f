// Publishes a fused answer to the client's stream as ordinary answer deltas, through the tenant's output
// filter. Resumable: the filter is deterministic, so a retry recomputes the same deltas and appends only
// what the stream does not hold yet.
import { Context } from '@temporalio/activity';
import type { FilteredOutput } from '../../domain/chat/ports.js';
import type { ChatActivityDependencies } from '../chat/dependencies.js';

export interface PublishAnswerInput {
  workflowId: string;
  tenantId: string;
  text: string;
}

/** A few words per delta, like a model stream. */
const wordPattern = /\S+\s*|\s+/g;
const wordsPerDelta = 3;

export function createPublishAnswerActivity(deps: ChatActivityDependencies) {
  return async function publishAnswer(input: PublishAnswerInput): Promise<string> {
    const already = (await deps.events.emittedText(input.workflowId)).length;
    const filter = deps.safety ? await deps.safety.outputFilter(input.tenantId) : undefined;
    const words = input.text.match(wordPattern) ?? [];
    let text = '';

    const append = async (output: FilteredOutput): Promise<void> => {
      if (output.redactions.length > 0) {
        await deps.events.publish(input.workflowId, {
          type: 'safety.redaction',
          dedupeKey: `safety.redaction:${text.length}`,
          data: { offset: text.length, blocked: output.blocked, redactions: output.redactions },
        });
      }
      const missing = output.text.slice(Math.max(0, already - text.length));
      if (missing) await deps.events.appendDelta(input.workflowId, text.length + output.text.length - missing.length, missing);
      text += output.text;
      Context.current().heartbeat(text.length);
    };

    for (let index = 0; index < words.length; index += wordsPerDelta) {
      const piece = words.slice(index, index + wordsPerDelta).join('');
      const output = filter ? filter.push(piece) : { text: piece, redactions: [], blocked: false };
      await append(output);
      if (output.blocked) return text;
    }
    if (filter) await append(filter.end());
    return text;
  };
}
