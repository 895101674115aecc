import { Migration } from '@mikro-orm/migrations';

/**
 * Interviewer agents for LiveKit rooms: `POST /v1/session/livekit` records that an interview wants one, and
 * the agent workers claim these rows (SKIP LOCKED, with a lease they renew while in the room), so an agent
 * whose process dies is replaced by another worker once its lease lapses.
 */
export class Migration20261128LiveKitAgents extends Migration {
  override name = 'Migration20261128LiveKitAgents';

  override up(): void {
    this.addSql(`
      create table interview_agents (
        interview_id varchar(255) primary key references interviews (id),
        tenant_id varchar(255) not null references tenants (id),
        room varchar(255) not null,
        requested_at timestamptz not null,
        holder varchar(255) null,
        lease_until timestamptz null,
        attempts integer not null default 0,
        spoken_turn_id varchar(255) null,
        ended_at timestamptz null,
        end_reason varchar(32) null,
        updated_at timestamptz not null
      );
      create index interview_agents_claim_idx on interview_agents (requested_at, interview_id) where ended_at is null;
    `);
  }
}
