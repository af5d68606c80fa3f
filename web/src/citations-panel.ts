// The sources of an answer: each numbered like its marker, with title, where in the document, the passage
// the model was given, and the original URL or file name.
import { h, sourceLabel } from './dom.js';
import type { Citation } from './api.js';

export class CitationsPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly heading: HTMLElement;

  constructor() {
    this.heading = h('h2', { id: 'sources-heading', tabindex: '-1' }, 'Sources');
    this.list = h('ol', { class: 'sources' });
    this.element = h('aside', { class: 'sources-panel', 'aria-labelledby': 'sources-heading', hidden: true },
      h('div', { class: 'panel-head' }, this.heading, h('button', { type: 'button', class: 'quiet', onclick: () => this.hide() }, 'Close')),
      this.list);
  }

  show(citations: Citation[], focus?: number): void {
    this.list.replaceChildren(...citations.map((citation) => this.item(citation)));
    this.element.hidden = false;
    const target = focus ? this.list.querySelector<HTMLElement>(`#source-${focus}`) : null;
    for (const item of this.list.querySelectorAll('.selected')) item.classList.remove('selected');
    if (target) {
      target.classList.add('selected');
      target.focus();
      target.scrollIntoView({ block: 'nearest' });
    } else {
      this.heading.focus();
    }
  }

  hide(): void {
    this.element.hidden = true;
  }

  private item(citation: Citation): HTMLLIElement {
    const isUrl = /^https?:\/\//i.test(citation.source);
    const location = [...(citation.headingPath ?? []).filter((heading) => heading && heading !== citation.title), citation.position !== undefined ? `passage ${citation.position + 1}` : '']
      .filter(Boolean).join(' › ');
    return h('li', { id: `source-${citation.index}`, class: 'source', tabindex: '-1', value: citation.index },
      h('h3', {}, `[${citation.index}] ${citation.title || sourceLabel(citation.source)}`),
      location ? h('p', { class: 'location' }, location) : null,
      h('blockquote', { class: 'snippet' }, citation.snippet),
      isUrl
        ? h('a', { href: citation.source, target: '_blank', rel: 'noopener noreferrer', class: 'origin' }, citation.source)
        : h('p', { class: 'origin' }, `File: ${sourceLabel(citation.source)}`));
  }
}
