import { describe, expect, it } from 'vitest';
import { baselineValidator, predictionValidator } from '../../src/drift/schema.js';

// JSON such as 1e999 parses to Infinity. Typed fields refuse it in the schema already; numbers
// in extra fields (accepted unchecked) are caught by the semantic walk, named by their path.
const PREDICTION = '"model_name":"m","prediction_id":"p1","prediction":1,"features":{"x":1}';

describe('non-finite numbers in extra fields', () => {
  it('names each by its path, indexes in brackets', () => {
    expect(predictionValidator(JSON.parse(`{${PREDICTION},"extra":{"a":[1,2]}}`)).ok).toBe(true);
    const result = predictionValidator(
      JSON.parse(`{${PREDICTION},"extra":{"a":[1,1e999],"b":{"c":-1e999}},"top":1e999}`),
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'extra.a[1]', message: 'must be a finite number' },
        { field: 'extra.b.c', message: 'must be a finite number' },
        { field: 'top', message: 'must be a finite number' },
      ],
    });
  });

  it('walks baseline predictions too', () => {
    const result = baselineValidator(
      JSON.parse('{"predictions":[{"features":{"x":1},"prediction":1,"note":[[1e999]]}]}'),
    );
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'predictions[0].note[0][0]', message: 'must be a finite number' }],
    });
  });
});
