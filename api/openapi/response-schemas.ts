// Response schemas of every HTTP route, as TypeBox (JSON Schema): fastify serializes with them and
// @fastify/swagger publishes them in /openapi.json. Open objects (additionalProperties) where Ragtime passes
// through what another component produced (an upstream's embedding items, an ingestion job's progress).
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorBody = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    code: Type.String(),
    param: Type.Union([Type.String(), Type.Null()]),
  }, { additionalProperties: true }),
}, { $id: 'ErrorBody', title: 'Error', description: 'Every refusal: OpenAI\'s error shape with a stable code.' });

/** 4xx and 5xx answers of a route: always the error shape. */
export const errorResponses = {
  '4xx': Type.Ref('ErrorBody'),
  '5xx': Type.Ref('ErrorBody'),
};

export function responses(ok: Record<number, TSchema>): Record<string, TSchema> {
  return { ...ok, ...errorResponses };
}

export const Health = Type.Object({ status: Type.String() });
export const Readiness = Type.Object({ status: Type.String(), dependencies: Type.Record(Type.String(), Type.String()) });

export const ModelObject = Type.Object({ id: Type.String(), object: Type.Literal('model'), created: Type.Integer(), owned_by: Type.String() });
export const ModelList = Type.Object({ object: Type.Literal('list'), data: Type.Array(ModelObject) });

const Usage = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() });
const RagtimeFields = Type.Object({ cached: Type.Boolean(), workflow_id: Type.Optional(Type.String()) }, { additionalProperties: true });
export const ChatCompletion = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion'),
  created: Type.Integer(),
  model: Type.String(),
  system_fingerprint: Type.Null(),
  choices: Type.Array(Type.Object({
    index: Type.Integer(),
    message: Type.Object({
      role: Type.Literal('assistant'),
      /** Null when the model only called tools. */
      content: Type.Union([Type.String(), Type.Null()]),
      refusal: Type.Null(),
      tool_calls: Type.Optional(Type.Array(Type.Object({
        id: Type.String(),
        type: Type.Literal('function'),
        function: Type.Object({ name: Type.String(), arguments: Type.String() }),
      }))),
    }),
    logprobs: Type.Union([Type.Null(), Type.Object({
      content: Type.Union([Type.Null(), Type.Array(Type.Object({
        token: Type.String(),
        logprob: Type.Number(),
        bytes: Type.Union([Type.Null(), Type.Array(Type.Integer())]),
        top_logprobs: Type.Array(Type.Object({ token: Type.String(), logprob: Type.Number(), bytes: Type.Union([Type.Null(), Type.Array(Type.Integer())]) })),
      }))]),
      refusal: Type.Null(),
    })]),
    finish_reason: Type.Union([Type.Literal('stop'), Type.Literal('length'), Type.Literal('content_filter'), Type.Literal('tool_calls')]),
  })),
  usage: Usage,
  ragtime: RagtimeFields,
});

export const EmbeddingList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({ object: Type.String(), index: Type.Integer(), embedding: Type.Union([Type.Array(Type.Number()), Type.String()]) }, { additionalProperties: true })),
  model: Type.String(),
  usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() }),
});

export const UsageReport = Type.Object({
  object: Type.Literal('usage'),
  org_id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  budget: Type.Object({
    period: Type.String(),
    monthly_budget_usd: Type.Union([Type.Number(), Type.Null()]),
    spent_usd: Type.Number(),
    reserved_usd: Type.Number(),
    remaining_usd: Type.Union([Type.Number(), Type.Null()]),
  }),
  data: Type.Array(Type.Object({
    day: Type.String(),
    user_id: Type.String(),
    model: Type.String(),
    requests: Type.Integer(),
    cached_requests: Type.Integer(),
    prompt_tokens: Type.Integer(),
    completion_tokens: Type.Integer(),
    total_tokens: Type.Integer(),
    cost_usd: Type.Number(),
  })),
});

export const Conversation = Type.Object({
  object: Type.Literal('conversation'),
  id: Type.String(),
  messages: Type.Array(Type.Object({ role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]), content: Type.String() })),
});

export const StartedJob = Type.Object({ job_id: Type.String(), workflow_id: Type.String(), status_url: Type.String() });
export const JobStatus = Type.Object({
  job_id: Type.String(),
  workflow_id: Type.String(),
  state: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('partial'), Type.Literal('failed')]),
  progress: Type.Optional(Type.Object({}, { additionalProperties: true })),
  error: Type.Optional(Type.String()),
});

const OutputText = Type.Object({ type: Type.Literal('output_text'), text: Type.String(), annotations: Type.Array(Type.Unknown()), logprobs: Type.Array(Type.Unknown()) });
const ItemStatus = Type.Union([Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('incomplete')]);
/** OpenAI's Response object (POST /v1/responses): its fields as OpenAI sends them, echoing the request's settings. */
export const ResponseObject = Type.Object({
  id: Type.String({ description: 'resp_<request id>: pass it as previous_response_id to continue the conversation' }),
  object: Type.Literal('response'),
  created_at: Type.Integer(),
  status: Type.Union([Type.Literal('completed'), Type.Literal('incomplete'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('in_progress')]),
  background: Type.Boolean(),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  incomplete_details: Type.Union([Type.Object({ reason: Type.String() }), Type.Null()]),
  instructions: Type.Union([Type.String(), Type.Null()]),
  max_output_tokens: Type.Union([Type.Integer(), Type.Null()]),
  max_tool_calls: Type.Null(),
  model: Type.String(),
  output: Type.Array(Type.Union([
    Type.Object({ type: Type.Literal('message'), id: Type.String(), status: ItemStatus, role: Type.Literal('assistant'), content: Type.Array(OutputText) }),
    Type.Object({ type: Type.Literal('function_call'), id: Type.String(), call_id: Type.String(), name: Type.String(), arguments: Type.String(), status: ItemStatus }),
  ])),
  parallel_tool_calls: Type.Boolean(),
  previous_response_id: Type.Union([Type.String(), Type.Null()]),
  reasoning: Type.Object({ effort: Type.Null(), summary: Type.Null() }),
  service_tier: Type.String(),
  store: Type.Boolean(),
  temperature: Type.Number(),
  text: Type.Object({ format: Type.Object({ type: Type.String() }, { additionalProperties: true }) }),
  tool_choice: Type.Union([Type.String(), Type.Object({ type: Type.String(), name: Type.String() })]),
  tools: Type.Array(Type.Object({ type: Type.String(), name: Type.String() }, { additionalProperties: true })),
  top_p: Type.Number(),
  truncation: Type.String(),
  usage: Type.Union([Type.Object({
    input_tokens: Type.Integer(),
    input_tokens_details: Type.Object({ cached_tokens: Type.Integer() }),
    output_tokens: Type.Integer(),
    output_tokens_details: Type.Object({ reasoning_tokens: Type.Integer() }),
    total_tokens: Type.Integer(),
  }), Type.Null()]),
  user: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.String()),
  ragtime: Type.Object({ workflow_id: Type.Optional(Type.String()) }, { additionalProperties: true }),
});
