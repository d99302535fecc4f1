/*
 * Citus-readiness of the SQL the engine sends (DESIGN section 9, issue 15 item 5). Citus routes a
 * statement to one shard only when it filters on, or inserts, the distribution column; every other
 * statement on a distributed table is a multi-shard query, which is correct but costs every node. This
 * module says, for one SQL text, which distributed tables it touches and whether it is routed; the
 * integration tier captures every statement (statement-capture.ts) and fails on any that is neither
 * routed nor on ROUTING_ALLOW_LIST, where each entry names the Citus mechanism that serves it.
 *
 * The check reads kysely's compiled SQL (quoted identifiers) and raw `sql` text. It is deliberately a
 * text check, not a parser: a statement is routed when it carries an equality or IN predicate on the
 * distribution column (`contact_id`; `id` of `contacts`; a lookup table's own key), or inserts a column
 * list that holds it.
 */

/** Tables co-located with `contacts` (distributed by the contact id), and their distribution column. */
const CONTACT_TABLES: Readonly<Record<string, string>> = {
  contacts: 'id',
  contact_campaigns: 'contact_id',
  scheduled_actions: 'contact_id',
  outbound_messages: 'contact_id',
  message_events: 'contact_id',
  campaign_transitions: 'contact_id',
  split_assignments: 'contact_id',
  custom_events: 'contact_id',
  message_facts: 'contact_id',
};

/**
 * Lookup tables (0018), each distributed by its own key and co-located with nothing: a statement filtering
 * on (or inserting) that key is routed to one shard; a join with a contact table is never co-located.
 */
export const LOOKUP_TABLES: Readonly<Record<string, string>> = {
  contact_addresses: 'address_sha256',
  provider_refs: 'provider_id',
};

/** Every distributed table and its distribution column. */
export const DISTRIBUTED_TABLES: Readonly<Record<string, string>> = { ...CONTACT_TABLES, ...LOOKUP_TABLES };

/** Small tables every node holds a copy of (`create_reference_table`): any statement on them is local. */
export const REFERENCE_TABLES: readonly string[] = [
  'senders',
  'sender_imap',
  'sending_control',
  'inbound_unmatched',
];

/** How Citus serves a statement that does not name one contact. */
export type CitusMechanism =
  /** Runs on every shard in parallel and merges (scans, lists, analytics, operator tools). */
  | 'multi-shard'
  /** Runs first on a reference or lookup table that yields the contact id, then routed. */
  | 'lookup-table';

export interface AllowListEntry {
  /** What the statement is, in a few words (shown when the entry is unused or a statement fails). */
  name: string;
  mechanism: CitusMechanism;
  /** Why this is acceptable at scale. */
  why: string;
  /** Set when the entry is a known debt rather than a design: what must change to route it. */
  gap?: string;
  /** Matches the normalized statement text (see `normalizeStatement`). */
  pattern: RegExp;
}

export interface StatementVerdict {
  sql: string;
  /** Distributed tables the statement reads or writes. */
  tables: string[];
  routed: boolean;
  /** The allow-list entry that covers it, when not routed. */
  allowedBy?: AllowListEntry;
}

const SKIPPED =
  /^(create|alter|drop|comment|do|set|reset|begin|commit|rollback|savepoint|release|lock|grant|revoke|analyze|vacuum|truncate|show|listen|notify|select\s+pg_)/i;

/** One line, single spaces, lowercase keywords untouched: the text the patterns match. */
export function normalizeStatement(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/** The distributed tables a statement names after FROM, JOIN, UPDATE, INTO or USING. */
export function distributedTablesOf(sql: string): string[] {
  const found = new Set<string>();
  const pattern = /\b(?:from|join|update|into|using)\s+(?:"?public"?\.)?"?([a-z_][a-z0-9_]*)"?/gi;
  for (const match of sql.matchAll(pattern)) {
    const table = (match[1] ?? '').toLowerCase();
    if (table in DISTRIBUTED_TABLES) found.add(table);
  }
  return [...found];
}

function insertsColumn(sql: string, table: string, column: string): boolean {
  const insert = new RegExp(`\\binsert into (?:"?public"?\\.)?"?${table}"? \\(([^)]*)\\)`, 'i');
  const columns = insert.exec(sql)?.[1];
  return columns !== undefined && new RegExp(`(^|[\\s,"])${column}("|,|\\s|$)`, 'i').test(columns);
}

function filtersOn(sql: string, table: string, column: string): boolean {
  // `"contact_id" = $1`, `"t"."contact_id" in ($1, $2)`, `contact_id = any($1)`, and the same with the
  // value on the left; for `contacts.id` the column must be qualified unless contacts is the only table.
  const qualified =
    column === 'id'
      ? `(?<![a-z_0-9])"?${table}"?\\."?id"?`
      : `(?<![a-z_0-9])(?:"?[a-z_0-9]+"?\\.)?"?${column}"?`;
  // The other side must be a value (a parameter or a literal): a join's `a.contact_id = c.contact_id`
  // co-locates two tables but routes nothing.
  const value = `(?:\\$\\d+|'[^']*'|\\d+)`;
  const left = new RegExp(
    `${qualified}\\s*(?:=\\s*${value}|in\\s*\\(\\s*${value}|=\\s*any\\s*\\(\\s*\\$\\d+)`,
    'i',
  );
  const right = new RegExp(`${value}\\s*=\\s*${qualified}(?![a-z_."])`, 'i');
  return left.test(sql) || right.test(sql);
}

function coLocatedJoin(sql: string): boolean {
  const column = `"?[a-z_0-9]+"?\\."?(?:contact_id|id)"?`;
  return new RegExp(`${column}\\s*=\\s*${column}`, 'i').test(sql) && /contact_id/i.test(sql);
}

function routedOn(sql: string, table: string, only: boolean): boolean {
  const column = DISTRIBUTED_TABLES[table] ?? 'contact_id';
  if (insertsColumn(sql, table, column)) return true;
  if (filtersOn(sql, table, column)) return true;
  // A statement on contacts alone may name its key unqualified (`where "id" = $1`).
  return (
    table === 'contacts' && only && /(^|[\s(])"?id"?\s*(=\s*\$|in\s*\(\s*\$|=\s*any\s*\(\s*\$)/i.test(sql)
  );
}

/**
 * The verdict on one statement: the distributed tables it touches, whether each is routed to one shard
 * by its distribution column, and which allow-list entry covers it otherwise. DDL, transaction control
 * and statements on no distributed table are routed by definition.
 */
export function judgeStatement(sql: string, allowList: readonly AllowListEntry[]): StatementVerdict {
  const text = normalizeStatement(sql);
  if (SKIPPED.test(text)) return { sql: text, tables: [], routed: true };
  const tables = distributedTablesOf(text);
  const routedTables = tables.filter((table) => routedOn(text, table, tables.length === 1));
  // Tables joined on the distribution column are co-located: one routed table routes the join. A lookup
  // table shares no shards with the contact tables, so a join with one is routed only if each side is.
  const routed =
    routedTables.length === tables.length ||
    (routedTables.length > 0 &&
      tables.length > 1 &&
      tables.every((table) => table in CONTACT_TABLES) &&
      coLocatedJoin(text));
  if (routed) return { sql: text, tables, routed };
  const allowedBy = allowList.find((entry) => entry.pattern.test(text));
  return allowedBy ? { sql: text, tables, routed, allowedBy } : { sql: text, tables, routed };
}

/** The statements that are neither routed nor allow-listed, each with its tables, for a failure message. */
export function unroutedStatements(
  statements: Iterable<string>,
  allowList: readonly AllowListEntry[],
): StatementVerdict[] {
  const seen = new Set<string>();
  const bad: StatementVerdict[] = [];
  for (const sql of statements) {
    const verdict = judgeStatement(sql, allowList);
    if (seen.has(verdict.sql)) continue;
    seen.add(verdict.sql);
    if (!verdict.routed && !verdict.allowedBy) bad.push(verdict);
  }
  return bad;
}
