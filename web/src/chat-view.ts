// The conversation pane: its turns, the composer (model, fusion, send and stop) and the status line, over a
// resumable socket. Stored turns load from the API; new ones stream.
import { h } from './dom.js';
import type { Api, Citation, Model } from './api.js';
import { AnswerView } from './answer-view.js';
import { ChatSocket, type ChatEvent } from './chat-socket.js';
import { CitationsPanel } from './citations-panel.js';
import { StatusLine, statusStep } from './status-line.js';

export interface ChatViewHooks {
  /** A turn finished (the conversation list and usage may have changed). */
  turnFinished(conversationId: string): void;
}

export class ChatView {
  readonly element: HTMLElement;
  readonly citations = new CitationsPanel();
  private readonly turns = h('div', { class: 'turns', role: 'log', 'aria-label': 'Conversation' });
  private readonly status = new StatusLine();
  private readonly connection = h('p', { class: 'connection', role: 'status' });
  private readonly input = h('textarea', { id: 'message', name: 'message', rows: 2, required: true, placeholder: 'Ask about your documents…' });
  private readonly model = h('select', { id: 'model', name: 'model' });
  private readonly fusion = h('input', { id: 'fusion', type: 'checkbox', name: 'fusion' });
  private readonly strategy = h('select', { id: 'strategy', name: 'strategy', disabled: true },
    ...['first', 'voting', 'ranking', 'merging'].map((value) => h('option', { value }, value)));
  private readonly maxTokens = h('input', { id: 'max-tokens', type: 'number', min: 1, max: 2048, inputmode: 'numeric', placeholder: 'default', class: 'max-tokens' });
  private readonly send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  private readonly stop = h('button', { type: 'button', disabled: true }, 'Stop');
  private readonly answers = new Map<string, AnswerView>();
  private readonly socket: ChatSocket;
  private current: AnswerView | undefined;
  conversationId = '';

  constructor(private readonly api: Api, key: string, private readonly hooks: ChatViewHooks) {
    this.socket = new ChatSocket(key, {
      event: (event) => this.onEvent(event),
      connection: (state) => {
        if (state.kind === 'lost') this.connection.textContent = `Connection lost; reconnecting in ${(state.retryInMs / 1000).toFixed(1)} s…`;
        else if (state.kind === 'reconnected') {
          this.connection.textContent = state.resumed > 0 ? 'Reconnected: the answer continues where it stopped.' : 'Reconnected.';
          this.current?.notice('Reconnected: resumed from the last event received.');
        } else this.connection.textContent = '';
      },
    });
    this.fusion.addEventListener('change', () => { this.strategy.disabled = !this.fusion.checked; });
    this.stop.addEventListener('click', () => { if (this.current) this.socket.cancel(this.current.requestId); });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.turns.addEventListener('click', (event) => {
      const link = (event.target as Element).closest<HTMLAnchorElement>('a.cite');
      if (!link) return;
      event.preventDefault();
      const view = this.answers.get(link.closest('article')?.getAttribute('data-request-id') ?? '');
      if (view) this.citations.show(view.citations, Number(link.dataset.cite));
    });
    const form = h('form', { class: 'composer', 'aria-label': 'Ask a question' },
      h('label', { for: 'message', class: 'visually-hidden' }, 'Message'), this.input,
      h('div', { class: 'composer-options' },
        h('label', { for: 'model' }, 'Model'), this.model,
        h('label', { class: 'check' }, this.fusion, 'Fusion'),
        h('label', { for: 'strategy', class: 'visually-hidden' }, 'Fusion strategy'), this.strategy,
        h('label', { for: 'max-tokens' }, 'Max tokens'), this.maxTokens,
        h('span', { class: 'spacer' }), this.stop, this.send));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.ask();
    });
    this.element = h('section', { class: 'chat', 'aria-label': 'Chat' }, this.turns, ...this.status.elements, this.connection, form);
  }

  setModels(models: Model[]): void {
    this.model.replaceChildren(h('option', { value: '' }, 'Automatic (router)'), ...models.map((model) => h('option', { value: model.id }, model.id)));
  }

  async open(conversationId: string): Promise<void> {
    this.conversationId = conversationId;
    this.answers.clear();
    this.turns.replaceChildren();
    this.status.reset();
    this.citations.hide();
    for (const turn of await this.api.turns(conversationId).catch(() => [])) {
      const view = this.addAnswer(turn.request_id, turn.question);
      view.citations = turn.citations;
      view.setText(turn.answer);
      view.done({ model: turn.model ?? undefined, usage: { promptTokens: turn.usage.prompt_tokens, completionTokens: turn.usage.completion_tokens }, temporalUiUrl: turn.temporal_ui_url, outcome: turn.outcome });
    }
    this.input.focus();
  }

  private ask(): void {
    const message = this.input.value.trim();
    if (!message || this.current) return;
    const requestId = crypto.randomUUID();
    this.current = this.addAnswer(requestId, message);
    this.input.value = '';
    this.status.reset();
    this.setStreaming(true);
    this.socket.chat({
      requestId, conversationId: this.conversationId, message,
      ...(this.model.value ? { model: this.model.value } : {}),
      ...(this.maxTokens.valueAsNumber > 0 ? { maxTokens: Math.min(2048, Math.round(this.maxTokens.valueAsNumber)) } : {}),
      ...(this.fusion.checked ? { fusion: { strategy: this.strategy.value } } : {}),
    });
  }

  private addAnswer(requestId: string, question: string): AnswerView {
    const view = new AnswerView(requestId, question);
    this.answers.set(requestId, view);
    this.turns.append(view.element);
    view.element.scrollIntoView({ block: 'end' });
    return view;
  }

  private onEvent(event: ChatEvent): void {
    const view = event.requestId ? this.answers.get(event.requestId) : undefined;
    if (!view) {
      if (event.type === 'error') this.connection.textContent = String(event.data.message ?? 'Error');
      return;
    }
    const step = statusStep(event.type, event.data);
    if (step && view === this.current) this.status.add(step);
    if (event.type === 'retrieval.citations') view.citations = (event.data.citations as Citation[] | undefined) ?? [];
    else if (event.type === 'answer.delta') view.delta(Number(event.data.offset), String(event.data.text));
    else if (event.type === 'answer.done') {
      view.done(event.data as Parameters<AnswerView['done']>[0]);
      this.finish(view);
    } else if (event.type === 'error') {
      view.failed({ code: String(event.data.code), message: String(event.data.message ?? ''), retryAfterSeconds: event.data.retryAfterSeconds as number | undefined });
      this.finish(view);
    }
  }

  private finish(view: AnswerView): void {
    if (view !== this.current) return;
    this.current = undefined;
    this.setStreaming(false);
    this.hooks.turnFinished(this.conversationId);
  }

  private setStreaming(streaming: boolean): void {
    this.send.disabled = streaming;
    this.stop.disabled = !streaming;
    if (!streaming) this.input.focus();
  }

  close(): void {
    this.socket.close();
  }
}
