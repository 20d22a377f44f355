/**
 * The pattern-named keys of document 001's snapshot: `<service>_authenticated|connected` in
 * connectivity, `<name>_model_age_hours|updated_at` in artifacts. Group 1 is the name.
 */
export const SERVICE_FLAG = /^([A-Za-z0-9][A-Za-z0-9_.:-]{0,99})_(authenticated|connected)$/;
export const ARTIFACT_AGE = /^([A-Za-z0-9][A-Za-z0-9_.:-]{0,99})_model_age_hours$/;
export const ARTIFACT_UPDATED = /^([A-Za-z0-9][A-Za-z0-9_.:-]{0,99})_model_updated_at$/;
