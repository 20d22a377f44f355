import { pino, type Logger } from 'pino';
import { correlationFields } from './tracing/correlation.js';

export type { Logger };

/**
 * Structured JSON logs. Every line carries a `component` (monitoring, ingest, alert, http,
 * config); credentials are redacted wherever they could appear.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tradewatch-exporter' },
      // Lines logged while handling a request carry its correlation id, trace id and span id.
      mixin: correlationFields,
      redact: {
        paths: [
          'authorization',
          'token',
          'tokens',
          '*.authorization',
          '*.token',
          '*.tokens',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
