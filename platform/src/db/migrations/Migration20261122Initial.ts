import { Migration } from '@mikro-orm/migrations';

/**
 * Tenants, keys, jobs, candidates, interviews and idempotency records. Every tenant-owned table leads its
 * indexes with (tenant_id, livemode) because every query a key makes is fenced by both.
 */
export class Migration20261122Initial extends Migration {
  override name = 'Migration20261122Initial';

  override up(): void {
    this.addSql(`
      create table tenants (
        id varchar(255) primary key,
        name text not null,
        allowed_origins jsonb not null,
        created_at timestamptz not null
      );

      create table api_keys (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        name text not null,
        scopes jsonb not null,
        lookup varchar(255) not null,
        secret_hash varchar(255) not null,
        redacted varchar(255) not null,
        created_at timestamptz not null,
        last_used_at timestamptz null,
        expires_at timestamptz null,
        revoked_at timestamptz null
      );
      create index api_keys_lookup_index on api_keys (lookup);
      create index api_keys_tenant_index on api_keys (tenant_id, livemode, id);

      create table jobs (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        title text not null,
        description text not null,
        language varchar(255) not null,
        questions jsonb not null,
        rubric jsonb not null,
        settings jsonb not null,
        external_id text null,
        metadata jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        deleted_at timestamptz null
      );
      create index jobs_tenant_index on jobs (tenant_id, livemode, id);
      create index jobs_external_id_index on jobs (tenant_id, livemode, external_id);

      create table candidates (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        name text null,
        email text null,
        external_id text null,
        metadata jsonb not null,
        resume jsonb null,
        created_at timestamptz not null,
        deleted_at timestamptz null
      );
      create index candidates_tenant_index on candidates (tenant_id, livemode, id);
      create index candidates_external_id_index on candidates (tenant_id, livemode, external_id);
      create index candidates_email_index on candidates (tenant_id, livemode, email);

      create table interviews (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        job_id varchar(255) not null references jobs (id),
        candidate_id varchar(255) not null references candidates (id),
        status varchar(255) not null,
        expires_at timestamptz not null,
        started_at timestamptz null,
        completed_at timestamptz null,
        canceled_at timestamptz null,
        external_id text null,
        metadata jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );
      create index interviews_tenant_index on interviews (tenant_id, livemode, id);
      create index interviews_status_index on interviews (tenant_id, livemode, status, id);
      create index interviews_job_index on interviews (job_id);
      create index interviews_candidate_index on interviews (candidate_id);
      create index interviews_external_id_index on interviews (tenant_id, livemode, external_id);

      create table idempotency_keys (
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        key varchar(255) not null,
        fingerprint varchar(64) not null,
        response_status integer null,
        response_body text null,
        locked_until timestamptz null,
        created_at timestamptz not null,
        primary key (tenant_id, livemode, key)
      );
      create index idempotency_keys_created_index on idempotency_keys (created_at);
    `);
  }
}
