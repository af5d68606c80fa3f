// Which IP addresses a server-side fetch may connect to. Only globally routable unicast addresses are
// allowed: ipaddr.js classifies every special-purpose range of the IANA registries (private, loopback,
// link-local, carrier-grade NAT, unique-local, multicast, reserved, documentation, 6to4/Teredo/NAT64
// translations, IPv4-mapped IPv6 …), and anything it does not call plain 'unicast' is refused, so a new
// special range fails closed. Cloud metadata endpoints are refused by name as well: some sit on addresses
// that look public (Azure's 168.63.129.16), and none may ever be trusted, whatever the configuration says.
import ipaddr from 'ipaddr.js';

const metadataAddresses = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, Oracle instance metadata
  '169.254.170.2', // AWS ECS task metadata
  '169.254.169.253', // AWS DNS resolver
  '168.63.129.16', // Azure wire server
  '100.100.100.200', // Alibaba Cloud metadata
  '192.0.0.192', // Oracle Cloud metadata (legacy)
  'fd00:ec2::254', // AWS IMDS over IPv6
]);

export type AddressDecision = { allowed: true } | { allowed: false; reason: string };

function normalize(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return undefined;
  }
}

function isMetadata(parsed: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (metadataAddresses.has(parsed.toString())) return true;
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && metadataAddresses.has((parsed as ipaddr.IPv6).toIPv4Address().toString());
}

/**
 * Whether a connection to `address` is allowed. `trustedNetworks` (CIDRs) lets an operator allow a named
 * internal range on purpose; it never applies to metadata endpoints.
 */
export function checkAddress(address: string, trustedNetworks: readonly string[] = []): AddressDecision {
  const parsed = normalize(address);
  if (!parsed) return { allowed: false, reason: `not an IP address: ${address}` };
  if (isMetadata(parsed)) return { allowed: false, reason: `${parsed.toString()} is a cloud metadata address` };
  for (const network of trustedNetworks) {
    const [range, bits] = ipaddr.parseCIDR(network);
    if (range.kind() === parsed.kind() && parsed.match(range, bits)) return { allowed: true };
  }
  const range = parsed.range();
  if (range !== 'unicast') return { allowed: false, reason: `${parsed.toString()} is in a ${range} range` };
  return { allowed: true };
}
