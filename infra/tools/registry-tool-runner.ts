// The ToolRunner port over the ToolRegistry: which tools a tenant may use (its row in tenant_tool_settings,
// else the deployment default, always within the tools configured here), and running one call with the
// output cut to what a prompt can hold. A call to a tool the tenant may not use is refused, however it
// was decided.
import type { ToolCall, ToolOutput } from '../../domain/chat/chat-request.js';
import type { ToolRunner, ToolSpecification } from '../../domain/chat/ports.js';
import { ToolError } from '../../domain/tools/tool.js';
import type { ToolRegistry } from '../../domain/tools/tool-registry.js';

export interface ToolEnablement {
  /** The tenant's own choice, or undefined for the default. */
  enabledTools(tenantId: string): Promise<string[] | undefined>;
}

export interface RegistryToolRunnerOptions {
  defaultEnabled: readonly string[];
  /** Longest output handed on, in characters. */
  maxOutputChars: number;
}

export class RegistryToolRunner implements ToolRunner {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly enablement: ToolEnablement,
    private readonly options: RegistryToolRunnerOptions,
  ) {}

  async available(tenantId: string): Promise<ToolSpecification[]> {
    const enabled = await this.enabledFor(tenantId);
    return this.registry.names().filter((name) => enabled.has(name)).map((name) => {
      const tool = this.registry.get(name)!;
      return { name, description: tool.description, parameters: tool.parameters, ...(tool.examples ? { examples: tool.examples } : {}) };
    });
  }

  accepts(call: Pick<ToolCall, 'tool' | 'arguments'>): boolean {
    return this.registry.accepts(call.tool, call.arguments);
  }

  async run(tenantId: string, call: ToolCall, options: { signal?: AbortSignal }): Promise<ToolOutput> {
    if (!(await this.enabledFor(tenantId)).has(call.tool)) {
      throw new ToolError(call.tool, 'refused', `${call.tool} is not available to this tenant`, false);
    }
    const result = await this.registry.run(call.tool, call.arguments, { signal: options.signal ?? new AbortController().signal, tenant: tenantId });
    const max = this.options.maxOutputChars;
    const content = result.content.length > max ? `${result.content.slice(0, max)}\n… (cut at ${max} characters)` : result.content;
    return { tool: call.tool, callId: call.id, content, title: result.source.title, source: result.source.url ?? result.source.title };
  }

  private async enabledFor(tenantId: string): Promise<Set<string>> {
    const chosen = await this.enablement.enabledTools(tenantId);
    return new Set((chosen ?? this.options.defaultEnabled).filter((name) => this.registry.get(name)));
  }
}
