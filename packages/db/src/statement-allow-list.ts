import type { AllowListEntry } from './statement-routing.ts';

/*
 * The statements on distributed tables that may run without naming one contact, each with the Citus
 * mechanism that serves it (docs/scaling.md). A new unrouted statement fails the integration tier until it
 * is routed or listed here with its reason. Entries with `gap` are debts, not designs: Citus runs them
 * correctly as multi-shard statements, but they must become routed before a cluster carries the hot path
 * (docs/scaling.md, "Known routing gaps"). Do not add to a gap entry; route the new statement instead.
 */
export const ROUTING_ALLOW_LIST: readonly AllowListEntry[] = [
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
    pattern: /^(select count\(\*\)|with |select .* from "?message_facts"?|select .* group by )/i,
  },
  {
    name: 'suppression by address',
    mechanism: 'lookup-table',
    why: 'address hash -> contact_id through contact_addresses, a table distributed by the hash; then routed',
    gap: 'contact_addresses does not exist yet: the lookup scans contacts on every shard',
    pattern:
      /from "contacts" where \(lower\(email\) = \$1 or "email_sha256" = \$2\)|"(email|phone)_sha256" (=|in)/,
  },
  {
    name: 'provider id lookups (webhooks without our echoed id)',
    mechanism: 'lookup-table',
    why: 'provider message/event id -> contact_id through provider_refs, distributed by the provider id; then routed',
    gap: 'provider_refs does not exist yet: the lookup scans every shard',
    pattern: /where "(provider_message_id|provider_event_id)" = \$1/,
  },
  {
    name: 'lookups by campaign, action, message or event id',
    mechanism: 'multi-shard',
    why: 'uuid ids carry no contact_id today, so Citus fans the statement out to every shard',
    gap: 'ids that travel outside must derive contact_id (DESIGN section 9) so these become routed',
    pattern:
      /\bwhere \(?"?(?:[a-z]+"?\.)?"?(id|campaign_id|message_id|action_id)"? (=|in \()|"(id|campaign_id)" = any\(|\bwhere (m\.)?(campaign_id|message_id) = \$/,
  },
];
