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
}

interface AgentRow {
  interview_id: string;
  tenant_id: string;
  room: string;
  holder: string;
  attempts: number;
  spoken_turn_id: string | null;
}

function held(row: AgentRow): HeldAgent {
  return {
    interviewId: row.interview_id,
    tenantId: row.tenant_id,
    room: row.room,
    holder: row.holder,
    attempts: row.attempts,
    spokenTurnId: row.spoken_turn_id,
  };
}

/**
 * Records that the interview wants an agent in `room`. A request while an agent is wanted changes nothing
 * (its worker keeps its claim); a request after the agent left (the candidate went away, the agent gave up)
 * wants one again, at once.
 */
export async function requestAgent(
  em: EntityManager,
  agent: { interviewId: string; tenantId: string; room: string },
): Promise<void> {
  await em.getConnection().execute(
    `insert into interview_agents (interview_id, tenant_id, room, requested_at, attempts, updated_at)
     values (?, ?, ?, now(), 0, now())
     on conflict (interview_id) do update
       set requested_at = now(), ended_at = null, end_reason = null, attempts = 0,
           holder = null, lease_until = null, updated_at = now()
       where interview_agents.ended_at is not null`,
    [agent.interviewId, agent.tenantId, agent.room],
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
     returning a.interview_id, a.tenant_id, a.room, a.holder, a.attempts, a.spoken_turn_id`,
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
 * The agent crashed (in the room, or on its way there): the claim is let go, to be tried again after
 * `retryInSeconds`, and the crash counts as a failed claim. Joining reset the count; this puts back the
 * claim's own, so an agent that crashes every time it joins is given up like one that never gets in.
 */
export async function agentCrashed(
  em: EntityManager,
  agent: HeldAgent,
  retryInSeconds: number,
): Promise<void> {
  await em.getConnection().execute(
    `update interview_agents
        set holder = null, attempts = ?, updated_at = now(), lease_until = now() + make_interval(secs => ?)
      where interview_id = ? and holder = ?`,
    [agent.attempts, retryInSeconds, agent.interviewId, agent.holder],
  );
}

export type AgentEndReason =
  | 'interview_over'
  | 'candidate_absent'
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
