import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The durable queue of interviewer agents: one row per interview that asked for a LiveKit room. A worker
 * claims a row with a lease and renews it while its agent is in the room; when the worker dies the lease
 * lapses and another worker claims the row and joins in its place. `holder` is unique per claim, so a
 * worker whose claim was taken over can no longer write.
 */

export interface HeldAgent {
  interviewId: string;
  tenantId: string;
  room: string;
  /** This claim: every write checks it, so a claim taken over by another worker changes nothing. */
  holder: string;
  /** Claims since the agent last joined its room: connection failures back off on it. */
  attempts: number;
  /** The last interviewer turn the room heard (played out, or interrupted): not spoken again on takeover. */
  spokenTurnId: string | null;
  /** The silence that ends a spoken answer, as the candidate's page asked; null for the default. */
  silenceMs: number | null;
}

interface AgentRow {
  interview_id: string;
  tenant_id: string;
  room: string;
  holder: string;
  attempts: number;
  spoken_turn_id: string | null;
  silence_ms: number | null;
}

function held(row: AgentRow): HeldAgent {
  return {
    interviewId: row.interview_id,
    tenantId: row.tenant_id,
    room: row.room,
    holder: row.holder,
    attempts: row.attempts,
    spokenTurnId: row.spoken_turn_id,
    silenceMs: row.silence_ms,
  };
}

/**
 * Records that the interview wants an agent in `room`, listening for `silenceMs` (null: the default). A
 * request while an agent is wanted changes nothing, its silence included (its worker keeps its claim, and
 * the agent in the room goes on as it began); a request after the agent left (the candidate went away, the
 * agent gave up) wants one again, at once.
 */
export async function requestAgent(
  em: EntityManager,
  agent: { interviewId: string; tenantId: string; room: string; silenceMs: number | null },
): Promise<void> {
  await em.getConnection().execute(
    `insert into interview_agents (interview_id, tenant_id, room, silence_ms, requested_at, attempts, updated_at)
     values (?, ?, ?, ?, now(), 0, now())
     on conflict (interview_id) do update
       set requested_at = now(), ended_at = null, end_reason = null, attempts = 0,
           holder = null, lease_until = null, silence_ms = excluded.silence_ms, updated_at = now()
       where interview_agents.ended_at is not null`,
    [agent.interviewId, agent.tenantId, agent.room, agent.silenceMs],
  );
}

/** Claims up to `limit` wanted agents nobody holds (SKIP LOCKED: workers in any number of processes share them). */
export async function claimAgents(
  em: EntityManager,
  limit: number,
  leaseSeconds: number,
  holderPrefix: string,
): Promise<HeldAgent[]> {
  const rows = await em.getConnection().execute<AgentRow[]>(
    `with due as (
       select interview_id from interview_agents
        where ended_at is null and (lease_until is null or lease_until < now())
        order by requested_at, interview_id
        limit ?
        for update skip locked
     )
     update interview_agents a
        set holder = ? || gen_random_uuid()::text, lease_until = now() + make_interval(secs => ?),
            attempts = a.attempts + 1, updated_at = now()
       from due where a.interview_id = due.interview_id
     returning a.interview_id, a.tenant_id, a.room, a.holder, a.attempts, a.spoken_turn_id, a.silence_ms`,
    [limit, `${holderPrefix}:`, leaseSeconds],
  );
  return rows.map(held);
}

/** Extends the leases of agents still in their rooms; resolves to the interviews whose claim is still ours. */
export async function renewAgentLeases(
  em: EntityManager,
  agents: HeldAgent[],
  leaseSeconds: number,
): Promise<Set<string>> {
  if (agents.length === 0) return new Set();
  const claims = agents.map((a) => ({ interview_id: a.interviewId, holder: a.holder }));
  // One JSON parameter: the driver would spread a JS array into separate parameters, not an SQL array.
  const rows = await em.getConnection().execute<{ interview_id: string }[]>(
    `update interview_agents a set lease_until = now() + make_interval(secs => ?), updated_at = now()
       from jsonb_to_recordset(?::jsonb) as claim(interview_id text, holder text)
      where a.interview_id = claim.interview_id and a.holder = claim.holder and a.ended_at is null
      returning a.interview_id`,
    [leaseSeconds, JSON.stringify(claims)],
  );
  return new Set(rows.map((r) => r.interview_id));
}

/** The agent joined its room: connection failures count afresh from here. */
export async function agentJoined(em: EntityManager, agent: HeldAgent): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update interview_agents set attempts = 0, updated_at = now() where interview_id = ? and holder = ?`,
      [agent.interviewId, agent.holder],
    );
}

/** The room heard this interviewer turn: an agent taking over does not say it again. */
export async function markSpoken(em: EntityManager, agent: HeldAgent, turnId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update interview_agents set spoken_turn_id = ?, updated_at = now() where interview_id = ? and holder = ?`,
      [turnId, agent.interviewId, agent.holder],
    );
}

/**
 * Lets go of the claim without ending the agent: another worker (or this one) claims it again after
 * `retryInSeconds` (at once when 0), e.g. on shutdown or after a failed connection.
 */
export async function releaseAgent(em: EntityManager, agent: HeldAgent, retryInSeconds = 0): Promise<void> {
  await em.getConnection().execute(
    `update interview_agents
        set holder = null, updated_at = now(),
            lease_until = case when ? > 0 then now() + make_interval(secs => ?) else null end
      where interview_id = ? and holder = ?`,
    [retryInSeconds, retryInSeconds, agent.interviewId, agent.holder],
  );
}

/**
 * The claim failed after all, though the agent may have joined: it crashed (in the room, or on its way
 * there), or the room let it go soon after it came. The claim is let go, to be tried again after
 * `retryInSeconds` (at once when 0), and counts as a failed one: joining reset the count, and this puts back
 * the claim's own, so an agent that crashes, or is dropped, every time it joins backs off and is given up
 * like one that never gets in.
 */
export async function releaseFailedClaim(
  em: EntityManager,
  agent: HeldAgent,
  retryInSeconds: number,
): Promise<void> {
  await em.getConnection().execute(
    `update interview_agents
        set holder = null, attempts = ?, updated_at = now(),
            lease_until = case when ? > 0 then now() + make_interval(secs => ?) else null end
      where interview_id = ? and holder = ?`,
    [agent.attempts, retryInSeconds, retryInSeconds, agent.interviewId, agent.holder],
  );
}

export type AgentEndReason =
  | 'interview_over'
  | 'candidate_absent'
  /** LiveKit closed or deleted the room while the candidate was in it. */
  | 'room_closed'
  /** The agent was removed from the room through LiveKit's server API. */
  | 'removed'
  | 'connection_failed'
  | 'not_voice'
  | 'crashed_repeatedly';

/** The agent is no longer wanted (until the candidate asks for a room again). */
export async function endAgent(em: EntityManager, agent: HeldAgent, reason: AgentEndReason): Promise<void> {
  await em.getConnection().execute(
    `update interview_agents set ended_at = now(), end_reason = ?, holder = null, lease_until = null, updated_at = now()
      where interview_id = ? and holder = ?`,
    [reason, agent.interviewId, agent.holder],
  );
}
