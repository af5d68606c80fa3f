import type { ModelCatalog, ModelEndpoint } from '../../domain/chat/ports.js';
import type { DeploymentEnvironment } from '../../domain/routing/model-registration.js';
import type { ModelRegistryReader } from '../../domain/routing/ports.js';

/** The ready models of one environment, from the registry (tier filtering is the router's job). */
export class RegistryModelCatalog implements ModelCatalog {
  constructor(private readonly registry: ModelRegistryReader, private readonly environment: DeploymentEnvironment) {}

  async modelsFor(): Promise<ModelEndpoint[]> {
    const registrations = await this.registry.list(this.environment);
    return registrations
      .filter((registration) => registration.status === 'ready')
      .map((registration) => ({ model: registration.model, baseUrl: registration.endpoint, provider: registration.provider }));
  }
}
