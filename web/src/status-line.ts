// The plan of the answer in progress, step by step as its events arrive.
import { h } from './dom.js';

export function statusStep(type: string, data: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'plan': {
      const tools = Array.isArray(data.tools) && data.tools.length > 0 ? `tools ${data.tools.join(', ')}` : 'no tools';
      return `Plan: ${data.retrieval ? 'search documents' : 'no document search'}, ${tools}`;
    }
    case 'retrieval.citations': {
      const count = Array.isArray(data.citations) ? data.citations.length : 0;
      return data.skipped ? `Retrieval skipped: ${String(data.skipped)}` : `Retrieval: ${count} source${count === 1 ? '' : 's'}`;
    }
    case 'tool.result':
      return `Tool ${String(data.tool)}${data.error ? `: ${String(data.error)}` : ' answered'}`;
    case 'model.selected':
      return `Model: ${String(data.model)}${Array.isArray(data.fusion) ? ` (fusion of ${data.fusion.join(', ')})` : ''}`;
    case 'model.failover':
      return `Failover: ${String(data.from)} → ${String(data.to)} (${String(data.reason)})`;
    case 'safety.redaction':
      return data.blocked ? 'Safety: output blocked' : `Safety: ${Array.isArray(data.redactions) ? data.redactions.length : 1} redaction(s)`;
    default:
      return undefined;
  }
}

export class StatusLine {
  readonly element = h('ol', { class: 'status-line', 'aria-label': 'Progress of the answer' });
  private readonly live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });

  get elements(): HTMLElement[] {
    return [this.element, this.live];
  }

  reset(): void {
    this.element.replaceChildren();
  }

  add(step: string): void {
    this.element.append(h('li', {}, step));
    this.live.textContent = step;
  }
}
