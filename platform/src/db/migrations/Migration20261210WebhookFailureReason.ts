import { Migration } from '@mikro-orm/migrations';

/**
 * Why a delivery failed, as a field of its own. Until now a disable wrote `endpoint_disabled` into the last
 * attempt's `last_error`, beside the status code of an attempt that had produced no such error.
 *
 * Failed deliveries get the reason their row shows: the disable's mark, else a `410` answer, else (the only
 * other way to fail) the end of the schedule. The mark is then taken off `last_error`. Whatever error the
 * attempt it overwrote had recorded is lost; null says so more honestly than an error no attempt produced.
 */
export class Migration20261210WebhookFailureReason extends Migration {
  override name = 'Migration20261210WebhookFailureReason';

  override up(): void {
    this.addSql(`
      alter table webhook_deliveries add column failure_reason varchar(32) null;
      update webhook_deliveries
         set failure_reason = case
               when last_error = 'endpoint_disabled' then 'endpoint_disabled'
               when last_status_code = 410 then 'endpoint_gone'
               else 'attempts_exhausted'
             end
       where status = 'failed';
      update webhook_deliveries set last_error = null where last_error = 'endpoint_disabled';
    `);
  }
}
