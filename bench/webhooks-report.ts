/**
 * What webhooks.ts found in each round: the figures, the tables and verdicts it prints, and the checks that
 * make it exit 1.
 */
import type { CpuShare } from './cpu-share.ts';
import { fixed, percent, percentile, table } from './report.ts';

/** The targets. */
const target = { deliveriesPerSecond: 500, p95Ms: 500 };

export interface Receipts {
  /** Receipt time of each expected event's first delivery. */
  receivedAt: Map<string, number>;
  /** Payload timestamp of each expected event. */
  eventAt: Map<string, number>;
  duplicates: number;
  unexpected: number;
  malformed: number;
  missing: number;
}

export interface Conditions {
  cpu: CpuShare | null;
  /** CPU time of all workers during the round, ms. */
  workersMs: number;
}

export interface DeliveryCheck {
  /** Deliveries of the round's events that are not `succeeded`. */
  notSucceeded: number;
  /** Deliveries that needed more than one attempt. */
  retried: number;
  /** Events of the round without a delivery. */
  notFannedOut: number;
}

export interface ThroughputOutcome {
  workers: number;
  events: number;
  seconds: number;
  perSecond: number;
  firstMs: number;
  receipts: Receipts;
  check: DeliveryCheck;
  conditions: Conditions;
}

export interface LatencyOutcome {
  workers: number;
  rate: number;
  committedPerSecond: number;
  /** Commit-to-receipt of every expected event, ms, sorted. */
  latencies: Float64Array;
  receipts: Receipts;
  check: DeliveryCheck;
  conditions: Conditions;
}

export function roundFailures(receipts: Receipts, check: DeliveryCheck): string[] {
  const problems: string[] = [];
  if (receipts.missing > 0) problems.push(`${receipts.missing} never received`);
  if (receipts.duplicates > 0) problems.push(`${receipts.duplicates} received twice`);
  if (receipts.unexpected > 0) problems.push(`${receipts.unexpected} received that were not sent`);
  if (receipts.malformed > 0) problems.push(`${receipts.malformed} malformed requests`);
  if (check.notSucceeded > 0) problems.push(`${check.notSucceeded} deliveries not succeeded`);
  if (check.notFannedOut > 0) problems.push(`${check.notFannedOut} events without a delivery`);
  return problems;
}

// --- Report -------------------------------------------------------------------------------------------

const whole = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';

/** The last columns of both tables: whether every event arrived once, and what the round cost. */
const outcomeHeader = ['dup', 'lost', 'retried', 'worker CPU ms/delivery', 'busy %', 'others %', 'steal %'];

function outcomeCells({ receipts, check, conditions }: ThroughputOutcome | LatencyOutcome): string[] {
  const deliveries = receipts.receivedAt.size;
  return [
    String(receipts.duplicates),
    String(receipts.missing),
    String(check.retried),
    deliveries > 0 ? fixed(conditions.workersMs / deliveries, 3) : '-',
    percent(conditions.cpu?.machineBusy),
    percent(conditions.cpu?.others),
    percent(conditions.cpu?.steal),
  ];
}

export function report(throughput: ThroughputOutcome[], latency: LatencyOutcome[]): string {
  const lines: string[] = [];
  if (throughput.length > 0) {
    lines.push(
      'Throughput: events committed in one transaction, time from the commit to the receipt of the last one.',
      '',
      table(
        ['workers', 'events', 'seconds', 'deliveries/s', 'first ms', ...outcomeHeader],
        throughput.map((o) => [
          String(o.workers),
          whole(o.events),
          fixed(o.seconds, 2),
          whole(o.perSecond),
          whole(o.firstMs),
          ...outcomeCells(o),
        ]),
      ),
      '',
    );
  }
  if (latency.length > 0) {
    lines.push(
      "Latency at a steady rate: one event per transaction; commit (the payload's timestamp) to receipt, ms.",
      '',
      table(
        [
          'workers',
          'rate',
          'committed/s',
          'events',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          ...outcomeHeader,
        ],
        latency.map((o) => [
          String(o.workers),
          String(o.rate),
          whole(o.committedPerSecond),
          whole(o.latencies.length),
          fixed(percentile(o.latencies, 50), 1),
          fixed(percentile(o.latencies, 95), 1),
          fixed(percentile(o.latencies, 99), 1),
          fixed(o.latencies.at(-1) ?? Number.NaN, 1),
          ...outcomeCells(o),
        ]),
      ),
      '',
    );
  }
  lines.push(
    'first ms: commit to the first receipt. dup: events received more than once. lost: events never received.',
    'retried: deliveries that needed more than one attempt. worker CPU: all workers together, per delivery.',
    'busy %: the whole machine (all cores); others %: processes other than this one, the workers, the receiver',
    'and PostgreSQL; steal %: time the hypervisor gave to other machines (from /proc, Linux only).',
  );
  return lines.join('\n');
}

export function verdicts(throughput: ThroughputOutcome[], latency: LatencyOutcome[]): string[] {
  const lines: string[] = [];
  for (const o of throughput) {
    const met = o.perSecond >= target.deliveriesPerSecond;
    lines.push(
      `Target ≥ ${target.deliveriesPerSecond} deliveries/s, ${o.workers} worker(s): ${whole(o.perSecond)}/s, ${met ? 'met' : 'NOT met'}`,
    );
  }
  for (const o of latency) {
    const p95 = percentile(o.latencies, 95);
    const met = p95 < target.p95Ms;
    lines.push(
      `Target p95 < ${target.p95Ms} ms, ${o.workers} worker(s) at ${o.rate}/s: ${fixed(p95, 1)} ms, ${met ? 'met' : 'NOT met'}`,
    );
  }
  return lines;
}
