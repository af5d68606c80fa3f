import type { ModelTarget } from './model-registration.js';

/** A model asked in a fusion request, with what ranking needs from its registration. */
export interface FusionCandidate extends ModelTarget {
  inputPrice: number;
  outputPrice: number;
  weight: number;
}
