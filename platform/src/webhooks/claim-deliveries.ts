import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventData, EventType } from '../events/event.entity.ts';
import type { EndpointSecret } from './webhook-endpoint.entity.ts';

/** A delivery this worker now holds, with everything needed to send it. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  lockedUntil: Date;
  endpoint: { id: string; tenantId: string; url: string; secrets: EndpointSecret[] };
  event: {
    id: string;
    type: EventType;
    createdAt: Date;
    livemode: boolean;
    interviewId: string | null;
    sequence: number | null;
    data: EventData;
  };
}

interface Row {
  id: string;
  attempts: number;
  locked_until: Date;
  endpoint_id: string;
  tenant_id: string;
  url: string;
  secrets: EndpointSecret[];
  event_id: string;
  type: EventType;
  created_at: Date;
  livemode: boolean;
  interview_id: string | null;
  sequence: number | null;
  data: EventData;
}

/**
 * The share of this worker's slots that one tenant's slow endpoints may fill together, and what they fill
 * now.
 * Fast endpoints are not counted: their attempts free their slots in milliseconds.
 */
export interface SlowShare {
  /** Attempts to one tenant's slow endpoints this worker may have in flight at once. */
  max: number;
  /** The slow endpoints, each with its tenant's id. */
  slowEndpoints: ReadonlyMap<string, string>;
  /** By tenant id: this worker's attempts in flight to the tenant's slow endpoints. */
  inFlight: ReadonlyMap<string, number>;
}

/**
 * Claims up to `limit` due deliveries for `leaseSeconds` in one statement. A delivery is due when its
 * attempt time has come, no worker holds it, its endpoint is enabled, and no earlier event of the same
 * interview is still pending for the same endpoint, nor waiting to be fanned out: an interview's events
 * reach an endpoint in order, while other interviews' events go on. The second check matters with several
 * workers: while one has an event locked for fan-out (uncommitted, so still undispatched to the others),
 * another may fan out and claim the interview's next one. SKIP LOCKED lets many workers claim at once,
 * never the same row.
 *
 * That check is a scalar subquery rather than `not exists (…)` on purpose: PostgreSQL turns `not exists`
 * into an anti-join, and while the table's statistics still say it is small (a burst right after start-up,
 * before autovacuum has analysed it), it may plan that join as a full scan of the pending deliveries for
 * every candidate, quadratic in the backlog (seconds per claim at a few thousand pending). A scalar subquery
 * always runs per candidate, as one probe of webhook_deliveries_order_idx (and of events_undispatched_idx).
 *
 * No tenant's slow endpoints (`share.slowEndpoints`) get more than `share.max` of this worker's attempts in
 * flight, all of them together. Taken strictly by due time, an endpoint that hangs until every attempt
 * times out, with a backlog queued, would hold every slot for minutes and hold up every other tenant's
 * deliveries; and a share per endpoint would still let a tenant with a few such endpoints take every slot.
 * The slow endpoints of tenants already at their share are left out of the scan (a plain comparison,
 * evaluated before the subqueries, so walking past their due deliveries costs no index probe), and of the
 * deliveries locked, each tenant's slow endpoints keep only what is left of its share, earliest first; the
 * others are released when the statement ends. The count is the worker's own, kept in memory, so it costs no
 * query and two workers never race on it.
 */
export async function claimDeliveries(
  em: EntityManager,
  limit: number,
  leaseSeconds: number,
  share: SlowShare,
): Promise<ClaimedDelivery[]> {
  const slow = [...share.slowEndpoints.keys()];
  const atShare = [...share.slowEndpoints]
    .filter(([, tenantId]) => (share.inFlight.get(tenantId) ?? 0) >= share.max)
    .map(([id]) => id);
  const inFlight = JSON.stringify(Object.fromEntries(share.inFlight));
  const rows = await em.getConnection().execute<Row[]>(
    `with due as (
       select d.id, d.tenant_id, d.next_attempt_at, d.endpoint_id = any(array[?]::text[]) as slow
         from webhook_deliveries d
         join webhook_endpoints w on w.id = d.endpoint_id and w.enabled
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (d.locked_until is null or d.locked_until < now())
          and d.endpoint_id <> all(array[?]::text[])
          and (select 1 from webhook_deliveries e
                where e.endpoint_id = d.endpoint_id and e.interview_id = d.interview_id
                  and e.status = 'pending' and e.sequence < d.sequence
                limit 1) is null
          and (select 1 from events ev
                where ev.interview_id = d.interview_id and ev.sequence < d.sequence
                  and ev.dispatched_at is null
                limit 1) is null
        order by d.next_attempt_at, d.id
        limit ?
        for update of d skip locked
     ), within_share as (
       select id from (
         select id, slow, row_number() over (partition by tenant_id, slow order by next_attempt_at, id)
                          + coalesce((?::jsonb ->> tenant_id)::int, 0) as taken
           from due
       ) ranked
        where not slow or taken <= ?
     ), claimed as (
       update webhook_deliveries d
          set locked_until = date_trunc('milliseconds', now() + make_interval(secs => ?)), updated_at = now()
         from within_share where d.id = within_share.id
       returning d.id, d.attempts, d.locked_until, d.endpoint_id, d.event_id
     )
     select c.id, c.attempts, c.locked_until, c.endpoint_id, w.tenant_id, w.url, w.secrets,
            c.event_id, e.type, e.created_at, e.livemode, e.interview_id, e.sequence, e.data
       from claimed c
       join webhook_endpoints w on w.id = c.endpoint_id
       join events e on e.id = c.event_id`,
    [slow, atShare, limit, inFlight, share.max, leaseSeconds],
  );
  return rows.map((r) => ({
    id: r.id,
    attempts: r.attempts,
    lockedUntil: new Date(r.locked_until),
    endpoint: { id: r.endpoint_id, tenantId: r.tenant_id, url: r.url, secrets: r.secrets },
    event: {
      id: r.event_id,
      type: r.type,
      createdAt: new Date(r.created_at),
      livemode: r.livemode,
      interviewId: r.interview_id,
      sequence: r.sequence,
      data: r.data,
    },
  }));
}
