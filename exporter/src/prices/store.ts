import type { Database, Queryable } from '../storage/database.js';
import type { RowTable, RowWrite, WriteOp } from '../storage/write-buffer.js';
import type { PricePoint } from '../recommendations/performance.js';
import type { PriceUpdate } from './schema.js';

interface PriceRow {
  symbol: string;
  time: string;
  price: number;
  volume: number | null;
}

/**
 * Prices many at a time, one statement with one JSON parameter. A repeated observation (same
 * symbol and time) keeps the first: a client retry is a no-op.
 */
const prices: RowTable<PriceRow> = {
  statement: (rows) => ({
    sql: `INSERT INTO prices (symbol, time, price, volume)
          SELECT symbol, time, price, volume
            FROM jsonb_to_recordset($1::jsonb)
                 AS r(symbol text, time timestamptz, price numeric, volume numeric)
          ON CONFLICT (symbol, time) DO NOTHING`,
    params: [JSON.stringify(rows)],
  }),
};

export function savePrice(update: PriceUpdate): RowWrite<PriceRow> {
  return {
    table: prices,
    row: {
      symbol: update.symbol,
      time: update.time,
      price: update.price,
      volume: update.volume ?? null,
    },
  };
}

/** Marks symbols as followed by a domain (`recommendation`, `ranking`, `position`). */
export function trackSymbols(symbols: readonly string[], source: string): WriteOp[] {
  return [...new Set(symbols)].map((symbol) => ({
    sql: 'INSERT INTO tracked_symbols (symbol, source) VALUES ($1, $2) ON CONFLICT (symbol) DO NOTHING',
    params: [symbol, source],
  }));
}

export async function loadTrackedSymbols(
  db: Queryable,
  symbols?: readonly string[],
): Promise<string[]> {
  const rows = symbols
    ? await db.query<{ symbol: string }>(
        'SELECT symbol FROM tracked_symbols WHERE symbol = ANY($1)',
        [[...symbols]],
      )
    : await db.query<{ symbol: string }>('SELECT symbol FROM tracked_symbols');
  return rows.map((r) => r.symbol);
}

export interface PriceObservation extends PricePoint {
  volume: number | undefined;
}

/** Price history of some symbols between two times (inclusive), oldest first. */
export async function loadPrices(
  db: Database | Queryable,
  symbols: readonly string[],
  fromSeconds: number,
  toSeconds: number,
): Promise<Map<string, PriceObservation[]>> {
  const rows = await db.query<{ symbol: string; time: Date; price: string; volume: string | null }>(
    `SELECT symbol, time, price, volume FROM prices
     WHERE symbol = ANY($1) AND time >= $2 AND time <= $3 ORDER BY symbol, time`,
    [[...symbols], new Date(fromSeconds * 1000), new Date(toSeconds * 1000)],
  );
  const out = new Map<string, PriceObservation[]>();
  for (const row of rows) {
    let list = out.get(row.symbol);
    if (!list) out.set(row.symbol, (list = []));
    list.push({
      timeSeconds: row.time.getTime() / 1000,
      price: Number(row.price),
      volume: row.volume === null ? undefined : Number(row.volume),
    });
  }
  return out;
}
