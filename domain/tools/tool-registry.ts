// The tools a deployment offers, by name: how they are listed to models and run.
import { ToolError, type Tool, type ToolContext, type ToolResult } from './tool.js';

export interface OpenAiToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** The tools a tenant may use, by name, with their definitions in the OpenAI tool-calling format. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: readonly Tool[]) {
    for (const tool of tools) {
      if (this.tools.has(tool.name)) throw new Error(`duplicate tool name: ${tool.name}`);
      this.tools.set(tool.name, tool);
    }
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  definitions(): OpenAiToolDefinition[] {
    return [...this.tools.values()].map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
  }

  /** Whether a call to `name` with `args` would pass the tool's checks that need no I/O. */
  accepts(name: string, args: unknown): boolean {
    const tool = this.tools.get(name);
    if (!tool) return false;
    return tool.accepts ? tool.accepts(args) : true;
  }

  async run(name: string, args: unknown, context: ToolContext): Promise<ToolResult> {
    const tool = this.tools.get(name);
    if (!tool) throw new ToolError(name, 'invalid_arguments', `no tool named ${JSON.stringify(name)}`, false);
    return tool.run(args, context);
  }
}
