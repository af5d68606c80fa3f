// A tiny element builder: text goes in as text nodes, never as HTML.
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | number | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

/** A file path or URL as a person reads it: the URL itself, or a path's file name. */
export function sourceLabel(source: string): string {
  if (/^https?:\/\//i.test(source)) return source;
  return source.split(/[\\/]/).pop() ?? source;
}
