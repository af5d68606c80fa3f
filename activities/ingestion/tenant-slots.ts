// A tenant's processing slots, claimed and given back around each document.
import type { IngestionActivityDependencies } from './dependencies.js';

export interface SlotRequest {
  tenantId: string;
  /** The document run holding the slot (its workflow id). */
  holder: string;
}

/** A processing slot of the tenant (INGESTION_TENANT_MAX_CONCURRENT_DOCUMENTS across its jobs); false when all are taken. */
export function createClaimDocumentSlotActivity(deps: IngestionActivityDependencies) {
  return async function claimDocumentSlot(input: SlotRequest): Promise<boolean> {
    return deps.tenantLimits.claimSlot(input.tenantId, input.holder);
  };
}

export function createReleaseDocumentSlotActivity(deps: IngestionActivityDependencies) {
  return async function releaseDocumentSlot(input: SlotRequest): Promise<void> {
    await deps.tenantLimits.releaseSlot(input.tenantId, input.holder);
  };
}
