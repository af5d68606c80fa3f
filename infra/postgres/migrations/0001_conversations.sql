CREATE TABLE conversations (
  tenant_id text NOT NULL,
  id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE turns (
  tenant_id text NOT NULL,
  conversation_id text NOT NULL,
  request_id text NOT NULL,
  workflow_id text NOT NULL,
  question text NOT NULL,
  answer text NOT NULL,
  model text,
  outcome text NOT NULL,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  citations jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, request_id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id)
);

CREATE INDEX turns_conversation_idx ON turns (tenant_id, conversation_id, created_at);
