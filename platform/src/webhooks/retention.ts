import type { EntityManager } from '@mikro-orm/postgresql';

/** How long events and the delivery log are kept. */
export const retentionDays = 90;

/** Deletes events and deliveries past retention (deliveries go with their event). */
export async function sweepDeliveryLog(em: EntityManager): Promise<number> {
  const deleted = await em
    .getConnection()
    .execute<{ id: string }[]>(
      `delete from events where created_at < now() - make_interval(days => ?) and dispatched_at is not null returning id`,
      [retentionDays],
    );
  return deleted.length;
}
