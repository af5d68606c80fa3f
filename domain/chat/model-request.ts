// What a client asks of the model itself, beyond the question: function tools, structured output, the
// conversation's tool round trips and every sampling setting. These travel unchanged from the API through the
// chat turn workflow to the generate activity and the model server, in OpenAI's wire shape where the model
// server reads them as they are (tools, tool_choice, response_format), so nothing is translated twice.
//
// Client tools and Ragtime's own tools are different things: Ragtime's tools (calculator, http_fetch, …) run
// in the plan before generation and their outputs are cited sources; the client's tools belong to the model:
// the model may call them, and the calls go back to the client as `tool_calls` for it to run.

/** A function tool the client offers the model (an OpenAI `tools[]` entry). */
export interface ClientTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    /** JSON Schema of the arguments object. */
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
}

/** OpenAI's `tool_choice`. */
export type ClientToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

/** A call the model made of a client tool: the client runs it and answers with a `tool` message. */
export interface ToolCallRequest {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** OpenAI's `response_format`: free text, any JSON object, or JSON valid against a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

/** Tools and output format of one generation (absent fields: the model server's defaults). */
export interface GenerationOptions {
  tools?: ClientTool[];
  toolChoice?: ClientToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
}

/**
 * Sampling settings that only some model servers understand (vLLM and llama.cpp read them as top-level request
 * fields). A model accepts those its registry entry lists in `sampling_params`; others are refused with a 400.
 */
export interface ServerSampling {
  top_k?: number;
  min_p?: number;
  typical_p?: number;
  repetition_penalty?: number;
  min_tokens?: number;
}

export const serverSamplingNames = ['top_k', 'min_p', 'typical_p', 'repetition_penalty', 'min_tokens'] as const satisfies readonly (keyof ServerSampling)[];

/** One generated token's log probability, with the most likely alternatives (OpenAI's `logprobs.content[]`). */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
}

/** An image part of a user message, forwarded to models with the vision capability. */
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** A user message's content in order when it holds images: text parts and image parts. */
export type ContentPart = { type: 'text'; text: string } | ImagePart;

/**
 * Capabilities a request needs of the model that serves it (the registry records each model's): client tools,
 * structured output (`json_mode`: response_format json_object / json_schema), images, log probabilities, or a
 * model-server sampling field by its name.
 */
export type RequiredCapability = 'tools' | 'json_mode' | 'vision' | 'logprobs' | keyof ServerSampling;
