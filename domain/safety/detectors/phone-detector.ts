import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { Detector, Finding } from '../safety-types.js';
import { trailingGroupRunStart } from '../text-scan.js';

export interface PhoneDetectorOptions {
  /** Country used for numbers written without an international prefix (a tenant setting). */
  defaultCountry?: CountryCode;
}

/** Phone numbers as libphonenumber finds and validates them (number plans per country, not a regex). */
export function createPhoneDetector(options: PhoneDetectorOptions = {}): Detector {
  const defaultCountry = options.defaultCountry ?? 'US';
  return {
    name: 'phone',
    categories: ['phone'],
    detect(text: string): Finding[] {
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
