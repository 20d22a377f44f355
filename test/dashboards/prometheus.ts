/** What Prometheus' query API answers, errors included (the panel checks read both). */
export interface QueryResult {
  status: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: object; value?: [number, string]; values?: [number, string][] }[];
  };
}

/** GET on the HTTP API, form-encoded parameters; the JSON answer, errors included. */
export async function api(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<QueryResult> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  return (await response.json()) as QueryResult;
}
