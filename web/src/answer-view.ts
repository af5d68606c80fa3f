// One question and its answer as it streams: deltas are placed at their offsets (a repeat is never shown
// twice), the Markdown is re-rendered at most once a frame, and the footer carries the model, the tokens,
// the Temporal UI link and any reconnect.
import { h } from './dom.js';
import type { Citation } from './api.js';
import { renderAnswer } from './markdown.js';
import { describeProblem, type Problem } from './errors.js';

export class AnswerView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly notices: HTMLElement;
  private text = '';
  private pending = false;
  citations: Citation[] = [];

  constructor(readonly requestId: string, question: string) {
    this.body = h('div', { class: 'answer-body', 'aria-busy': 'true' });
    this.footer = h('p', { class: 'answer-meta' });
    this.notices = h('p', { class: 'answer-notice', role: 'status' });
    this.element = h('article', { class: 'turn', 'data-request-id': requestId, 'aria-label': 'Question and answer' },
      h('p', { class: 'question' }, question),
      h('div', { class: 'answer' }, this.body, this.notices, this.footer));
  }

  get answerText(): string {
    return this.text;
  }

  delta(offset: number, text: string): void {
    if (offset > this.text.length) return;
    const fresh = text.slice(this.text.length - offset);
    if (!fresh) return;
    this.text += fresh;
    this.scheduleRender();
  }

  setText(text: string): void {
    this.text = text;
    this.render();
  }

  notice(message: string): void {
    this.notices.textContent = message;
  }

  done(details: { model?: string; usage?: { promptTokens: number; completionTokens: number }; temporalUiUrl?: string; outcome?: string }): void {
    this.body.setAttribute('aria-busy', 'false');
    this.element.classList.add('finished');
    this.render();
    const sources = this.citations.length > 0
      ? h('span', { class: 'source-chips' }, 'Sources:', ...this.citations.map((citation) =>
        h('a', { href: `#source-${citation.index}`, class: 'cite', 'data-cite': citation.index, title: citation.title }, `[${citation.index}]`)))
      : null;
    this.footer.replaceChildren(...[
      sources,
      details.model ? h('span', {}, details.model) : null,
      details.usage ? h('span', { class: 'tokens' }, `${details.usage.promptTokens} + ${details.usage.completionTokens} tokens`) : null,
      details.outcome && details.outcome !== 'completed' ? h('span', {}, details.outcome) : null,
      details.temporalUiUrl ? h('a', { href: details.temporalUiUrl, target: '_blank', rel: 'noopener noreferrer', class: 'run-link' }, 'Run in Temporal UI') : null,
    ].filter((node): node is HTMLElement => node !== null));
  }

  failed(problem: Problem): void {
    this.body.setAttribute('aria-busy', 'false');
    this.element.classList.add('finished');
    this.render();
    this.element.append(h('p', { class: `error error-${problem.code}`, role: 'alert' }, describeProblem(problem)));
    if (problem.code === 'cancelled') this.element.classList.add('stopped');
  }

  private scheduleRender(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  private render(): void {
    this.body.innerHTML = renderAnswer(this.text, this.citations.length);
  }
}
