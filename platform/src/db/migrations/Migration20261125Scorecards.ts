import { Migration } from '@mikro-orm/migrations';

/** Scorecards: one row per scoring run of an interview, doubling as the run's job for the scoring workers. */
export class Migration20261125Scorecards extends Migration {
  override name = 'Migration20261125Scorecards';

  override up(): void {
    this.addSql(`
      create table scorecards (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        interview_id varchar(255) not null references interviews (id) deferrable initially deferred,
        status varchar(16) not null,
        trigger varchar(32) not null,
        rubric jsonb null,
        dimensions jsonb not null,
        summary jsonb null,
        score double precision null,
        recommendation varchar(16) null,
        model text null,
        prompt_version varchar(64) null,
        usage jsonb not null,
        attempts integer not null,
        next_attempt_at timestamptz not null,
        locked_until timestamptz null,
        failure jsonb null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        completed_at timestamptz null,
        failed_at timestamptz null
      );
      create index scorecards_interview_idx on scorecards (interview_id, id desc);
      create index scorecards_due_idx on scorecards (next_attempt_at, id) where status = 'pending';
      -- One scoring run at a time per interview.
      create unique index scorecards_one_pending_idx on scorecards (interview_id) where status = 'pending';
    `);
  }
}
