// The API key the browser signs in with, kept in localStorage. `./ragtime up` prints a URL whose fragment
// carries the development key (#dev-key=…): a fragment never reaches a server, and it is removed from the
// address bar as soon as it is read.
const storageKey = 'ragtime.apiKey';

export function takeKeyFromFragment(): string | undefined {
  const match = /^#dev-key=([A-Za-z0-9_.-]+)$/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', location.pathname + location.search);
  return match[1];
}

export function storedKey(): string | undefined {
  return localStorage.getItem(storageKey) ?? undefined;
}

export function storeKey(key: string): void {
  localStorage.setItem(storageKey, key);
}

export function forgetKey(): void {
  localStorage.removeItem(storageKey);
}
