import type { DocumentLimits } from '../parsed-document.js';

/** What every parser gets besides the bytes and source: the limits and the declared content type. */
export interface ParseContext {
  limits: DocumentLimits;
  contentType?: string;
}
