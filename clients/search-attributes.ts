// Registers Ragtime's search attributes on a Temporal namespace (idempotent). Needs operator rights; on a
// managed cluster register them once by hand with `temporal operator search-attribute create`.
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ragtimeSearchAttributes } from '../workflows/search-attributes.js';
import { ingestionSearchAttributes } from '../workflows/ingestion/search-attributes.js';

export async function registerSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = [...ragtimeSearchAttributes, ...ingestionSearchAttributes].filter((key) => !(key.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } finally {
    await connection.close();
  }
}
