import type { AllowListEntry } from './statement-routing.ts';

/*
 * The statements on distributed tables that may run without naming one contact, each with the Citus
 * mechanism that serves it (docs/scaling.md). A new unrouted statement fails the integration tier until it
 * is routed or listed here with its reason. Entries with `gap` are debts, not designs: Citus runs them
 * correctly as multi-shard statements, but they must become routed before a cluster carries the hot path
 * (docs/scaling.md, "Known routing gaps"). Do not add to a gap entry; route the new statement instead (the
 * sender-usage entry lists the sends ahead that a stalled line brings forward, and their count alone that a
 * waiting send watches: the set its count of the sends ahead already reads, which the same fix moves).
 */
export const ROUTING_ALLOW_LIST: readonly AllowListEntry[] = [
  {
    name: 'sender usage: throttling caps and sender health (per sender over every contact)',
    mechanism: 'multi-shard',
    why: 'a sender sends to many contacts, so its usage spans shards',
    gap: 'on the throttled send path: keep per-sender usage in a table distributed by sender_id (or Redis) instead',
    pattern:
      /^select "claimed_at" from "outbound_messages" where "sender_id" = \$1 and "status" in \(|^select count\(\*\) as "n" from "outbound_messages" where "sender_id" = \$1 and "status" in \(|^select \(select count\(\*\) as "n" from "outbound_messages" where "sender_id" = \$1 and "status" in \(|^with recent as \( select m\.id from outbound_messages m where m\.sender_id = \$1 |^select (count\(\*\) as "n"|"a"\."id", "a"\."contact_id", "a"\."campaign_id", "a"\."run_at") from "scheduled_actions" as "a" inner join "contact_campaigns" as "c" on "c"\."contact_id" = "a"\."contact_id" and "c"\."id" = "a"\."campaign_id" where \("c"\."email_sender_id" = \$1 or "c"\."sms_sender_id" = \$2\) /,
  },
  {
    name: 'reconcile scan: overdue pending actions and expired claims',
    mechanism: 'multi-shard',
    why: 'a periodic background scan over every contact by design; each shard answers from its run_at / claimed_until index',
    pattern:
      /^select "a"\.\* from "scheduled_actions" as "a" inner join "contact_campaigns" as "c" on .*"a"\."run_at" <= |^select \* from "scheduled_actions" where "status" = \$1 and "claimed_until" <= /,
  },
  {
    name: 'payload retention sweep',
    mechanism: 'multi-shard',
    why: 'a background batch (nullExpiredEventPayloads) over every contact by design',
    pattern:
      /^update message_events set payload = null where \(contact_id, id\) in \( select contact_id, id from message_events where payload is not null/,
  },
  {
    name: 'lists, analytics and operator reports',
    mechanism: 'multi-shard',
    why: 'reports over many contacts: parallel on every shard, merged by the coordinator; never on the send path',
    pattern:
      /^(select count\(\*\)|(select|with) .* from "?message_facts"?|select .* group by |select \(select n -> 'variants' from jsonb_array_elements\(cc\.plan -> 'nodes'\) n where .* from split_assignments sa join contact_campaigns cc on .* where sa\.experiment = \$\d+ )/i,
  },
  {
    name: 'lookups by a bare id: a campaign, action, message or event named by its uuid alone',
    mechanism: 'multi-shard',
    why: 'every id the engine hands out carries its contact (`<uuid>.<contact id>`: campaign ids, Message-IDs, echo fields, unsubscribe tokens; jobs carry contact_id), and the transaction that follows is routed by the contact of the row found; only a caller holding a bare uuid (an id handed out before, an embedding call such as executeAction(id)) pays this one lookup on every shard',
    pattern:
      /^select \* from "(contact_campaigns|scheduled_actions|outbound_messages|message_events)" where "id" = \$1( for update)?$/,
  },
  {
    name: "test fixtures: the integration tests' own reads and writes by campaign, action, message or event id",
    mechanism: 'multi-shard',
    why: "not product code: the tests assert and seed through the same captured handle; the product's paths by id are routed, and routed-paths.integration.test.ts judges the send, timeout, event and command paths with no allow-list at all",
    pattern:
      /\bwhere \(?"?(?:[a-z]+"?\.)?"?(id|campaign_id|message_id|action_id)"? (=|in \()|"(id|campaign_id)" = any\(|\bwhere (m\.|e\.)?(campaign_id|message_id) = \$/,
  },
  {
    name: 'campaign list (API and console), filtered and paged by time',
    mechanism: 'multi-shard',
    why: 'a list across contacts: each shard returns its first page by created_at, the coordinator merges',
    pattern:
      /^select "c"\."id", "c"\."contact_id", "c"\."status", .* from "contact_campaigns" as "c"( where .*)? order by "c"\."created_at" desc, "c"\."id" desc limit \$\d+$/,
  },
  {
    name: 'analytics: timer lateness percentiles over a time range',
    mechanism: 'multi-shard',
    why: 'an operator report over all contacts; never on the send path',
    pattern:
      /^select count\(extract\(epoch from a\.executed_at - a\.run_at\) \* 1000\)::int as late_n, percentile_cont/,
  },
  {
    name: 'migrations: data steps of up and down (0006, 0014, 0015, 0016, 0017, 0018)',
    mechanism: 'multi-shard',
    why: 'run once per deployment from the coordinator, like the DDL around them',
    pattern:
      /^(insert into (contact_addresses|provider_refs) \((address_sha256|provider_id), [a-z_, ]+\) select |update scheduled_actions set outcome = 'skipped' where outcome = 'expired'|delete from campaign_transitions where kind = '(contact_update|skipped)'|delete from contacts c where erased_at is not null and email is null and phone is null and not exists|delete from outbound_messages where status = 'shadow'|select message_facts_upsert\(m\) from outbound_messages m where|update contact_campaigns cc set plan_shape = v\.shape from \(values |update message_facts f set prev_sent_at = x\.prev from \(select contact_id, message_id, lag\(sent_at\) over \(partition by contact_id, campaign_id )/,
  },
  {
    name: 'test fixtures: bulk seeds, whole-table assertions and reads by address or provider event id of the integration tests',
    mechanism: 'multi-shard',
    why: 'not product code: the tests read and seed through the same captured handle',
    pattern:
      /^insert into (contacts|contact_campaigns|scheduled_actions|outbound_messages|message_events|campaign_transitions) select \(jsonb_populate_record\(null::\1, to_jsonb\(t\) \|\| jsonb_build_object\(.*\)\)\)\.\* from \1 t, generate_series\(1, \d+\) g$|^select "(sender_id|id|experiment)"(, "[a-z_]+")* from "(outbound_messages|contact_campaigns|split_assignments)"( order by "seq")?$|^select id from contacts where lower\(email\) = '[^']*'$|^select (\*|"[a-z_]+"(, "[a-z_]+")*) from "(contacts|message_events)" where "(email|phone|provider_event_id)" = \$1$/,
  },
];
