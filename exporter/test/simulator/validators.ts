import { loadConfig } from '../../src/config/load.js';
import { validatorFor } from '../../src/prices/schema.js';
import { rankingValidator } from '../../src/ranking/schema.js';
import { recommendationValidator } from '../../src/recommendations/schema.js';

/** The exporter's own validators, with its default configuration: what the simulator sends must pass them. */
const config = loadConfig({ env: { TRADEWATCH_INGEST_TOKEN: 'simulator-test-token-0123456789' } });
export const validRecommendation = recommendationValidator(config);
export const validPrice = validatorFor(config.storage.retention_days.prices);
export const validRanking = rankingValidator({
  maxItems: config.ranking.max_list_items,
  retentionDays: config.storage.retention_days.rankings,
});
export const errorsOf = (result: { ok: boolean; errors?: unknown }) =>
  result.ok ? [] : result.errors;
