import { Migration } from '@mikro-orm/migrations';

/**
 * The event log (also the outbox the delivery worker reads), webhook endpoints, and one delivery per event
 * and endpoint, which carries its own retry state so any worker can pick it up after a crash.
 */
export class Migration20261124Webhooks extends Migration {
  override name = 'Migration20261124Webhooks';

  override up(): void {
    this.addSql(`
      alter table interviews add column event_sequence integer not null default 0;

      create table events (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        type varchar(64) not null,
        -- Checked at commit: the ORM may insert an interview's first event before the interview in one flush.
        interview_id varchar(255) null references interviews (id) deferrable initially deferred,
        sequence integer null,
        data jsonb not null,
        created_at timestamptz not null,
        dispatched_at timestamptz null,
        unique (interview_id, sequence)
      );
      create index events_owner_idx on events (tenant_id, livemode, id desc);
      create index events_outbox_idx on events (id) where dispatched_at is null;

      create table webhook_endpoints (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        url text not null,
        description text null,
        enabled_events jsonb not null,
        enabled boolean not null,
        disabled_reason varchar(32) null,
        secrets jsonb not null,
        metadata jsonb not null,
        failing_since timestamptz null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );
      create index webhook_endpoints_owner_idx on webhook_endpoints (tenant_id, livemode, id desc);

      create table webhook_deliveries (
        id varchar(255) primary key,
        tenant_id varchar(255) not null references tenants (id),
        livemode boolean not null,
        endpoint_id varchar(255) not null references webhook_endpoints (id) on delete cascade,
        event_id varchar(255) not null references events (id) on delete cascade,
        event_type varchar(64) not null,
        interview_id varchar(255) null,
        sequence integer null,
        status varchar(16) not null,
        attempts integer not null,
        next_attempt_at timestamptz null,
        locked_until timestamptz null,
        last_attempt_at timestamptz null,
        last_status_code integer null,
        last_latency_ms integer null,
        last_error text null,
        last_response_snippet text null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (endpoint_id, event_id)
      );
      create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, id desc);
      create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
      create index webhook_deliveries_order_idx on webhook_deliveries (endpoint_id, interview_id, sequence)
        where status = 'pending' and interview_id is not null;
      create index webhook_deliveries_event_idx on webhook_deliveries (event_id);
    `);
  }
}
