import { Migration } from '@mikro-orm/migrations';

/**
 * What a live interview needs to survive a crash or move between instances: the engine's progress on the
 * interview row, every turn of the conversation, and the keys that sign session tokens.
 */
export class Migration20261123Sessions extends Migration {
  override name = 'Migration20261123Sessions';

  override up(): void {
    this.addSql(`
      alter table interviews add column progress jsonb not null default '{}';
      alter table interviews add column tokens_used integer not null default 0;

      create table interview_turns (
        id varchar(255) primary key,
        interview_id varchar(255) not null references interviews (id),
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        seq integer not null,
        speaker varchar(32) not null,
        kind varchar(32) not null,
        question_index integer null,
        text text not null,
        audio jsonb null,
        started_at timestamptz not null,
        ended_at timestamptz not null,
        created_at timestamptz not null,
        unique (interview_id, seq)
      );

      create table signing_keys (
        kid varchar(255) primary key,
        algorithm varchar(32) not null,
        public_jwk jsonb not null,
        private_jwk jsonb not null,
        created_at timestamptz not null,
        retired_at timestamptz null
      );

      alter table tenants add column logo_url text null;
    `);
  }
}
