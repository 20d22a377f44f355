/**
 * Just enough PromQL reading for the dashboard-linter rules: label-matcher blocks, range
 * selectors of rate functions, metric names. Not a parser; the live test has Prometheus parse
 * every expression for real.
 */

/** `{...}` label-matcher blocks (label values never contain braces in these dashboards). */
export function matcherBlocks(expr: string): string[] {
  return [...expr.matchAll(/\{[^{}]*\}/g)].map((m) => m[0]);
}

/** Index of the parenthesis closing the one at `open`. */
function closing(expr: string, open: number): number {
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    if (expr[i] === '(') depth++;
    else if (expr[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in ${expr}`);
}

export interface RateCall {
  fn: string;
  /** The call from its name to its closing parenthesis. */
  text: string;
  start: number;
  end: number;
  /** What is between the brackets of its range selector(s). */
  ranges: string[];
}

/** Every `rate(`, `irate(` and `increase(` call. */
export function rateCalls(expr: string): RateCall[] {
  return [...expr.matchAll(/\b(rate|irate|increase)\(/g)].map((m) => {
    const start = m.index;
    const end = closing(expr, start + m[1]!.length);
    const text = expr.slice(start, end + 1);
    const ranges = [...text.matchAll(/\[([^\]]*)\]/g)].map((r) => r[1]!);
    return { fn: m[1]!, text, start, end, ranges };
  });
}

/** Positions of counter series (`..._total`) that are not inside a rate function. */
export function totalsOutsideRates(expr: string): string[] {
  const calls = rateCalls(expr);
  return [...expr.matchAll(/\b[a-zA-Z_:][\w:]*_total\b/g)]
    .filter((m) => !calls.some((c) => m.index > c.start && m.index < c.end))
    .map((m) => m[0]);
}

/** Series names an expression selects: identifiers directly followed by `{`. */
export function selectedMetrics(expr: string): string[] {
  return [...expr.matchAll(/\b([a-zA-Z_:][\w:]*)\{/g)].map((m) => m[1]!);
}

/** Names of exposed series, and recorded ones (`level:metric:operations`, with colons). */
const METRIC_NAME = /^(tradewatch_\w+|ALERTS\w*|nodejs_\w+|process_\w+|scrape_\w+|up|\w*:[\w:]*)$/;

/** Identifiers that look like metrics but select no label matchers (`up`, `foo_total`). */
export function bareMetrics(expr: string): string[] {
  // Whole identifiers, colons included: a recorded name is one series, not several.
  const words = [...expr.matchAll(/(?<![\w:$])([a-zA-Z_:][\w:]*)(\{)?/g)];
  return words.filter((m) => m[2] === undefined && METRIC_NAME.test(m[1]!)).map((m) => m[1]!);
}
