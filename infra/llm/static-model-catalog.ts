import type { ModelCatalog, ModelEndpoint } from '../../domain/chat/ports.js';

/** Models from configuration, the same for every tenant (the registry replaces this). */
export class StaticModelCatalog implements ModelCatalog {
  constructor(private readonly endpoints: ModelEndpoint[]) {}

  async modelsFor(): Promise<ModelEndpoint[]> {
    return this.endpoints;
  }
}
