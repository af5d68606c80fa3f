// The API's model catalog: the same cached registry the workers route with, filtered by the caller's tier.
// A registration, a disable or a deregistration through the registry drops the shared cache, so the next
// request of any API instance sees it; when the registry cannot be read, its last known good copy serves.
import type { ModelCatalog, ModelEndpoint } from '../../domain/chat/ports.js';
import { accessOf, listedModels, type ModelAccess } from '../../domain/routing/model-access.js';
import type { DeploymentEnvironment } from '../../domain/routing/model-registration.js';
import type { ModelRegistryReader } from '../../domain/routing/ports.js';

export class RegistryModelCatalog implements ModelCatalog {
  constructor(private readonly registry: ModelRegistryReader, private readonly environment: DeploymentEnvironment) {}

  async modelsFor(tier: string): Promise<ModelEndpoint[]> {
    return listedModels(await this.registry.list(this.environment), tier)
      .map((registration) => ({ model: registration.model, baseUrl: registration.endpoint, provider: registration.provider }));
  }

  async access(model: string, tier: string): Promise<ModelAccess> {
    return accessOf(await this.registry.list(this.environment), model, tier);
  }
}
