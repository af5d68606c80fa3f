// Search attributes of ingestion runs, besides RagtimeTenant: the job (on the job and each of its document
// runs) and its status. Registered with the chat ones by clients/search-attributes.ts.
import { defineSearchAttributeKey } from '@temporalio/common';

export const ingestionJobAttribute = defineSearchAttributeKey('RagtimeIngestionJob', 'KEYWORD');
/** Job: running, completed, partial (some documents failed) or failed; document: running, indexed, unchanged, failed or deleted. */
export const ingestionStatusAttribute = defineSearchAttributeKey('RagtimeIngestionStatus', 'KEYWORD');

export const ingestionSearchAttributes = [ingestionJobAttribute, ingestionStatusAttribute];
