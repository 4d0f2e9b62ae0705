CREATE INDEX sessions_project_id_started_at_idx ON sessions (project_id, started_at);
