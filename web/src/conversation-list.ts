// The org's conversations: pick one to continue, start a new one, rename the open one.
import { h } from './dom.js';
import type { Api, ConversationSummary } from './api.js';

export class ConversationList {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'conversations' });
  private selected = '';

  constructor(private readonly api: Api, private readonly onOpen: (id: string) => void) {
    this.element = h('nav', { class: 'sidebar', 'aria-label': 'Conversations' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Conversations'),
        h('button', { type: 'button', class: 'primary', onclick: () => this.create() }, 'New')),
      this.list);
  }

  create(): void {
    const id = `c-${crypto.randomUUID()}`;
    this.select(id);
    this.list.prepend(this.item({ id, title: 'New conversation', turns: 0, updated_at: new Date().toISOString() }));
    this.mark();
  }

  async refresh(): Promise<ConversationSummary[]> {
    const found = await this.api.conversations();
    const fresh = this.selected && !found.some((entry) => entry.id === this.selected)
      ? [{ id: this.selected, title: 'New conversation', turns: 0, updated_at: '' }] : [];
    this.list.replaceChildren(...[...fresh, ...found].map((entry) => this.item(entry)));
    this.mark();
    return found;
  }

  select(id: string): void {
    this.selected = id;
    this.mark();
    this.onOpen(id);
  }

  private item(entry: ConversationSummary): HTMLLIElement {
    const open = h('button', { type: 'button', class: 'conversation', 'data-id': entry.id, onclick: () => this.select(entry.id) }, entry.title);
    const rename = h('button', { type: 'button', class: 'quiet', 'aria-label': `Rename “${entry.title}”`, onclick: () => this.rename(item, entry) }, 'Rename');
    const item = h('li', {}, open, rename);
    return item;
  }

  private rename(item: HTMLLIElement, entry: ConversationSummary): void {
    const input = h('input', { type: 'text', value: entry.title, maxlength: 200, 'aria-label': 'Conversation name', required: true });
    const form = h('form', { class: 'rename' }, input, h('button', { type: 'submit' }, 'Save'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      void this.api.rename(entry.id, title).then(() => this.refresh());
    });
    input.addEventListener('keydown', (event) => { if (event.key === 'Escape') void this.refresh(); });
    item.replaceChildren(form);
    input.select();
  }

  private mark(): void {
    for (const button of this.list.querySelectorAll<HTMLButtonElement>('button.conversation')) {
      if (button.dataset.id === this.selected) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  }
}
