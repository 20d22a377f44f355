/** Tokens of each role for the security tests (environment tokens, hashed at load). */
export const ADMIN_TOKEN = 'tw-test-admin-token-0123456789';
export const WRITER_TOKEN = 'tw-test-writer-token-0123456789';
export const READER_TOKEN = 'tw-test-reader-token-0123456789';

/** An exporter environment with one token of each role and no rate limits. */
export const ROLE_ENV: Record<string, string> = {
  TRADEWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
  TRADEWATCH_WRITER_TOKEN: WRITER_TOKEN,
  TRADEWATCH_READER_TOKEN: READER_TOKEN,
  TRADEWATCH_RATE_LIMIT__READ_REQUESTS: '0',
  TRADEWATCH_RATE_LIMIT__INGEST_REQUESTS: '0',
};
