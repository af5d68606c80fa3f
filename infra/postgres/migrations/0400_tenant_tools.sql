-- Which tools a tenant may use. No row: the deployment's default (TOOLS_DEFAULT_ENABLED). Only tools that are
-- configured on the deployment are ever offered, whatever a row lists.
CREATE TABLE tenant_tool_settings (
  tenant_id text PRIMARY KEY,
  enabled_tools text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
