/** A readable fallback title: the file name without extension, e.g. "reports/q3-summary.pdf" → "q3-summary". */
export function titleFromSource(source: string): string {
  const path = /^https?:\/\//i.test(source) ? new URL(source).pathname : source;
  const name = path.replaceAll('\\', '/').split('/').filter(Boolean).pop() ?? source;
  return decodeURIComponentSafely(name).replace(/\.[A-Za-z0-9]+$/, '') || source;
}

function decodeURIComponentSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
