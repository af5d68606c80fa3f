import type { CountryCode } from 'libphonenumber-js';
import type { Detector } from '../safety-types.js';
import { createEmailDetector } from './email-detector.js';
import { createIbanDetector } from './iban-detector.js';
import { createIpAddressDetector } from './ip-address-detector.js';
import { createPaymentCardDetector } from './payment-card-detector.js';
import { createPhoneDetector } from './phone-detector.js';
import { createPromptInjectionDetector } from './prompt-injection-detector.js';
import { createSecretDetector } from './secret-detector.js';
import { createToxicityDetector } from './toxicity-detector.js';
import { createUsSocialSecurityNumberDetector } from './us-ssn-detector.js';

export interface DetectorOptions {
  /** Country assumed for phone numbers written without an international prefix. */
  phoneDefaultCountry?: CountryCode;
  /** Combined score from which a text counts as a prompt injection (0..1). */
  injectionThreshold?: number;
}

/** Detectors of personal data and secrets. */
export function createPersonalDataDetectors(options: DetectorOptions = {}): Detector[] {
  return [
    createEmailDetector(),
    createPhoneDetector({ defaultCountry: options.phoneDefaultCountry }),
    createPaymentCardDetector(),
    createIbanDetector(),
    createUsSocialSecurityNumberDetector(),
    createIpAddressDetector(),
    createSecretDetector(),
  ];
}

/** What the streaming output filter runs: personal data, secrets and toxicity (all of them local, see Detector.pendingFrom). */
export function createOutputDetectors(options: DetectorOptions = {}): Detector[] {
  return [...createPersonalDataDetectors(options), createToxicityDetector()];
}

/** Every detector: personal data, secrets, prompt injection and toxicity. */
export function createDefaultDetectors(options: DetectorOptions = {}): Detector[] {
  return [
    ...createPersonalDataDetectors(options),
    createPromptInjectionDetector({ threshold: options.injectionThreshold }),
    createToxicityDetector(),
  ];
}
