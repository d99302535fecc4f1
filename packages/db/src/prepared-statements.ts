import type pg from 'pg';

/** Named statements a connection prepares at most; the statements after those run unnamed. */
export const PREPARED_STATEMENTS_PER_CONNECTION = 200;

/** SQL texts a connection remembers having run once (then it forgets them all and starts again). */
const SEEN_ONCE_LIMIT = 1000;

/**
 * Statements that run unnamed whatever their count, because their best plan depends on the values: a
 * sender's usage and line (`KyselyThrottleUsageRepository`: claims and pending sends by sender, over every
 * contact) and the scans by a range of due or run instants (the reconcile scan, expired claims, a
 * sender's held sends). The sender's generic plans slowed the 1,000-campaign throttled burst from 18.8 to
 * 12.8 sends a second (the e2e burst on BullMQ, one run after the other; 18.7 with them unnamed); the range
 * scans are left unnamed for the same reason, not measured. The hot paths run none of them.
 */
const VALUE_DEPENDENT = /sender_id"? = \$\d|"(run_at|due_at|claimed_until)" [<>]=? \$\d/;

/**
 * Runs a pg client's parameterized statements as named prepared statements: each distinct SQL text is
 * parsed once per connection and then only bound and executed, and after five runs Postgres may keep a
 * generic plan for it instead of planning each run (`plan_cache_mode = auto`). On this project's hot paths
 * parsing and planning were most of the server's time per statement (docs/benchmarks.md). The SQL texts are
 * kysely's, compiled from the code's queries: a bounded set, but one query with an `in` list compiles to a
 * text per list length. So a text is named the second time it runs on a connection, not the first (a
 * one-off does not take a name), and a connection names at most `limit` of them (each prepared statement
 * holds its plan in the backend's memory); the rest run unnamed, as they would without this.
 * Statements without parameters (`begin`, `commit`, DDL, a migration's script) run as before.
 *
 * A schema change under a running process (a migration adding a column during a rolling deploy) makes a
 * prepared `select *` fail with "cached plan must not change result type" (`isStalePlanError`): the
 * statement is forgotten, so it is prepared anew under another name; outside a transaction it runs again
 * at once, inside one the error ends the transaction, which `KyselyCampaignStore.transaction` runs again.
 */
export function prepareStatements(client: pg.ClientBase, limit = PREPARED_STATEMENTS_PER_CONNECTION): void {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<pg.QueryResult>;
  const names = new Map<string, string>();
  const seenOnce = new Set<string>();
  let named = 0;
  const run = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
    let name = names.get(text);
    if (name === undefined && named < limit && !VALUE_DEPENDENT.test(text)) {
      if (seenOnce.delete(text)) {
        named += 1;
        name = `campaign_${named}`;
        names.set(text, name);
      } else {
        if (seenOnce.size >= SEEN_ONCE_LIMIT) seenOnce.clear();
        seenOnce.add(text);
      }
    }
    if (name === undefined) return query(text, values);
    try {
      return await query({ name, text, values });
    } catch (error) {
      if (!isStalePlanError(error)) throw error;
      names.delete(text);
      if (client.getTransactionStatus() !== 'I') throw error;
      return query(text, values);
    }
  };
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) =>
    typeof config === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined
      ? run(config, values)
      : query(config, values, callback);
}

/**
 * The error of a prepared statement whose result columns changed since it was prepared ("cached plan must
 * not change result type"), known by its code and the server routine that raises it, not by its message,
 * which follows the server's `lc_messages`.
 */
export function isStalePlanError(error: unknown): boolean {
  const { code, routine } = (error ?? {}) as { code?: unknown; routine?: unknown };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}
