-- An org can be suspended (every credential of it stops working, open WebSockets included) and a user deleted
-- (kept as a row, because keys and the ledger refer to it; its keys are revoked with it).
ALTER TABLE orgs ADD COLUMN suspended_at timestamptz;
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
