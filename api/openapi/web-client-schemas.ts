// Response schemas of the web client's routes (conversations, uploads, the document catalog). Kept apart from
// response-schemas.ts because these describe Ragtime's own resources, not OpenAI's shapes. Citations are open
// objects: a stored turn carries what retrieval recorded then (older turns lack heading paths).
import { Type } from '@sinclair/typebox';

const Timestamp = Type.String({ format: 'date-time' });

export const ConversationList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), turns: Type.Integer({ minimum: 0 }), updated_at: Timestamp })),
});

export const RenamedConversation = Type.Object({ object: Type.Literal('conversation'), id: Type.String(), title: Type.String() });

const TurnCitation = Type.Object({
  index: Type.Integer(), documentId: Type.String(), title: Type.String(), source: Type.String(),
  snippet: Type.Optional(Type.String()), score: Type.Optional(Type.Number()),
  headingPath: Type.Optional(Type.Array(Type.String())),
}, { additionalProperties: true });

export const TurnList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({
    request_id: Type.String(),
    question: Type.String(),
    answer: Type.String(),
    model: Type.Union([Type.String(), Type.Null()]),
    outcome: Type.Union([Type.Literal('completed'), Type.Literal('blocked'), Type.Literal('cancelled'), Type.Literal('failed')]),
    usage: Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer() }),
    citations: Type.Array(TurnCitation),
    workflow_id: Type.String(),
    temporal_ui_url: Type.String(),
    created_at: Timestamp,
  })),
});

export const UploadedFile = Type.Object({
  job_id: Type.String(), workflow_id: Type.String(), status_url: Type.String(), name: Type.String(), bytes: Type.Integer({ minimum: 1 }),
});

export const DocumentList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({
    document_id: Type.String(),
    source: Type.String(),
    uploaded: Type.Boolean(),
    title: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([Type.Literal('indexed'), Type.Literal('failed')]),
    reason: Type.Union([Type.String(), Type.Null()]),
    chunks: Type.Integer({ minimum: 0 }),
    updated_at: Timestamp,
  })),
});
