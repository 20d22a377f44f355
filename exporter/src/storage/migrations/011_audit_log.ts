import type { Migration } from '../migrations.js';

/**
 * The audit log (document 000 section 7): one row per write request by an admin or writer token
 * and per acknowledgement, with who sent it (the token's name and role, never the token), what
 * it was, its outcome and its correlation id. `GET /v1/audit` reads it (docs/security.md).
 */
export const auditLog: Migration = {
  version: 11,
  name: 'audit_log',
  sql: `
CREATE TABLE audit_log (
    audit_id TEXT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    token_name TEXT NOT NULL,
    role TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    status INTEGER NOT NULL,
    correlation_id TEXT
);
CREATE INDEX idx_audit_log_at ON audit_log (at);
`,
};
