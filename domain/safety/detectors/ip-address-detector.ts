import ipaddr from 'ipaddr.js';
import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingTokenStart } from '../text-scan.js';

// Candidates are bounded patterns that must stand alone (not inside a longer dotted number such as an OID,
// nor after a letter as in "v1.2.3.4", nor a C++ scope such as std::vector); ipaddr.js then decides, strictly
// (four decimal parts, octets up to 255, no IPv4 leading zeros, also in an IPv6 address's IPv4 tail), as
// Node's isIPv4/isIPv6 did: pure parsing, with no node:net in the domain.
const ipv4 = /(?<![\p{L}\p{N}.])(?:\d{1,3}\.){3}\d{1,3}(?![\p{L}\p{N}]|\.\d)/gu;
const ipv6 = /(?<![\p{L}\p{N}:.])(?:[0-9a-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4})(?![\p{L}\p{N}:]|\.\d)/giu;

export function createIpAddressDetector(): Detector {
  return {
    name: 'ip_address',
    categories: ['ip_address'],
    detect(text: string): Finding[] {
      const v4 = allMatches(ipv4, text).filter((match) => isIPv4(match[0]));
      const v6 = allMatches(ipv6, text).filter((match) => /[0-9a-f]/i.test(match[0]) && isIPv6(match[0]));
      return [...v4, ...v6].map((match) => ({
        category: 'ip_address',
        start: match.index,
        end: match.index + match[0].length,
        confidence: 0.9,
        detail: isIPv4(match[0]) ? 'IPv4 address' : 'IPv6 address',
      }));
    },
    pendingFrom: trailingTokenStart,
  };
}

function isIPv4(candidate: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(candidate);
}

function isIPv6(candidate: string): boolean {
  const tail = candidate.slice(candidate.lastIndexOf(':') + 1);
  return ipaddr.IPv6.isValid(candidate) && (!tail.includes('.') || isIPv4(tail));
}
