// Hosts an HTTP tool may contact. Entries are "host" (ports 80 and 443) or "host:port"; a leading "*."
// allows subdomains. Hosts are compared in the form the WHATWG URL parser gives them (lower case,
// punycode, IPv4 in dotted decimal even when written as 2130706433 or 0x7f.1), so no spelling of an address
// slips past the list.

export interface AllowedHost {
  host: string;
  port?: number;
  subdomains: boolean;
}

export function parseAllowedHosts(entries: readonly string[]): AllowedHost[] {
  return entries.map((entry) => {
    const subdomains = entry.startsWith('*.');
    const url = new URL(`http://${subdomains ? entry.slice(2) : entry}`);
    if (url.pathname !== '/' || url.username || url.search) throw new Error(`allowed host must be host or host:port: ${entry}`);
    return { host: url.hostname, port: url.port ? Number(url.port) : undefined, subdomains };
  });
}

export function isHostAllowed(url: URL, allowed: readonly AllowedHost[]): boolean {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return allowed.some((entry) => {
    const hostMatches = url.hostname === entry.host || (entry.subdomains && url.hostname.endsWith(`.${entry.host}`));
    const portMatches = entry.port === undefined ? port === 80 || port === 443 : port === entry.port;
    return hostMatches && portMatches;
  });
}
