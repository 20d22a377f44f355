import type { Migration } from '../migrations.js';

/**
 * The audit log names what a request acted on (`target`: the alert id acknowledged, the model of
 * a baseline, the tracking ids of recommendations) and who acknowledged (`acknowledged_by`), and
 * is searched by correlation id and token name (`GET /v1/audit`, docs/security.md).
 */
export const auditTargets: Migration = {
  version: 12,
  name: 'audit_targets',
  sql: `
ALTER TABLE audit_log ADD COLUMN target TEXT;
ALTER TABLE audit_log ADD COLUMN acknowledged_by TEXT;
CREATE INDEX idx_audit_log_correlation_id ON audit_log (correlation_id);
CREATE INDEX idx_audit_log_token_name_at ON audit_log (token_name, at);
`,
};
