-- Capabilities a request can need of the model that serves it (issue 21), beside supports_tools,
-- supports_json_mode and context_length: images in user messages (vision), token log probabilities, and the
-- model-server-specific sampling fields (top_k, min_p, repetition_penalty, …) the model's server accepts.
ALTER TABLE model_registry
  ADD COLUMN supports_vision boolean NOT NULL DEFAULT false,
  ADD COLUMN supports_logprobs boolean NOT NULL DEFAULT false,
  ADD COLUMN sampling_params text[] NOT NULL DEFAULT '{}';
