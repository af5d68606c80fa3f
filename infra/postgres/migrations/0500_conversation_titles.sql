-- A conversation's title as its user named it (the web client's list); NULL shows its first question.
ALTER TABLE conversations ADD COLUMN title text;
