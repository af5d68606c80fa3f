import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { Detector, Finding } from '../safety-types.js';
import { trailingGroupRunStart } from '../text-scan.js';

export interface PhoneDetectorOptions {
  /** Country used for numbers written without an international prefix (a tenant setting). */
  defaultCountry?: CountryCode;
}

// No numbering plan has numbers of fewer than seven digits with a prefix, so text without seven digits close
// together (at most three separator characters apart) is skipped before the comparatively slow parser runs.
const enoughDigits = /\d(?:[^\p{L}\d]{0,3}\d){6}/u;

/** Phone numbers as libphonenumber finds and validates them (number plans per country, not a regex). */
export function createPhoneDetector(options: PhoneDetectorOptions = {}): Detector {
  const defaultCountry = options.defaultCountry ?? 'US';
  return {
    name: 'phone',
    categories: ['phone'],
    detect(text: string): Finding[] {
      if (!enoughDigits.test(text)) return [];
      return findPhoneNumbersInText(text, { defaultCountry })
        .filter((found) => found.number.isValid())
        .map((found) => ({
          category: 'phone',
          start: found.startsAt,
          end: found.endsAt,
          confidence: 0.85,
          detail: `phone number (${found.number.country ?? 'international'})`,
        }));
    },
    pendingFrom: (text) => trailingGroupRunStart(text, 32),
  };
}
