import { DATASOURCE } from './query.js';

export interface ExploreQuery {
  expr: string;
  /** Show the exemplars (trace ids) of the histogram the query reads. */
  exemplar: boolean;
  /** Start of the time range, e.g. `now-1h`. */
  from: string;
}

/** `${name}` placeholders, once URL-encoded. */
const ENCODED_PLACEHOLDER = /%24%7B([\w.]+)%7D/g;

/**
 * A Grafana Explore URL (`/explore?schemaVersion=1&panes=...`) running one query on the
 * dashboard's `datasource`. The pane is URL-encoded except its `${...}` placeholders, which
 * Grafana fills in when the link is clicked (values with URL-unsafe characters would need
 * `:percentencode`); `$__rate_interval` stays encoded, for Explore to resolve.
 */
export function exploreUrl(query: ExploreQuery): string {
  const pane = {
    datasource: DATASOURCE.uid,
    queries: [{ refId: 'A', datasource: DATASOURCE, expr: query.expr, exemplar: query.exemplar }],
    range: { from: query.from, to: 'now' },
  };
  const panes = encodeURIComponent(JSON.stringify({ a: pane })).replace(
    ENCODED_PLACEHOLDER,
    (_match, name: string) => `\${${name}}`,
  );
  return `/explore?schemaVersion=1&panes=${panes}`;
}
