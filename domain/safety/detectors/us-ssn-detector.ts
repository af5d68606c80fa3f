import type { Detector, Finding } from '../safety-types.js';
import { allMatches, trailingTokenStart } from '../text-scan.js';

// US Social Security numbers. No maintained npm validator covers them, so the rules are written here from
// the Social Security Administration's published structure: area 001–899 except 666, group 01–99, serial
// 0001–9999; two numbers that circulated in advertising (078-05-1120, 219-09-9999) were voided.
// The dashed form is recognised anywhere; nine bare digits only right after a label such as "SSN".
const dashed = /(?<![\p{L}\p{N}-])(\d{3})-(\d{2})-(\d{4})(?![\p{N}]|-\d)/gu;
const labelled = /(?<=\b(?:ssn|ss#|social security(?: number| no\.?| #)?)\s{0,3}(?:is|:|#|=|no\.?)?\s{0,3})(\d{3})(\d{2})(\d{4})(?![\p{N}])/giu;
const voided = new Set(['078051120', '219099999']);

export function isValidSocialSecurityNumber(area: string, group: string, serial: string): boolean {
  const areaNumber = Number(area);
  if (areaNumber === 0 || areaNumber === 666 || areaNumber >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !voided.has(`${area}${group}${serial}`);
}

export function createUsSocialSecurityNumberDetector(): Detector {
  return {
    name: 'us_ssn',
    categories: ['us_ssn'],
    detect(text: string): Finding[] {
      return [...allMatches(dashed, text), ...allMatches(labelled, text)]
        .filter((match) => isValidSocialSecurityNumber(match[1]!, match[2]!, match[3]!))
        .map((match) => ({
          category: 'us_ssn',
          start: match.index,
          end: match.index + match[0].length,
          confidence: match[0].includes('-') ? 0.85 : 0.95,
          detail: 'US social security number',
        }));
    },
    pendingFrom: trailingTokenStart,
  };
}
