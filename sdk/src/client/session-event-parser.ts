import type { components } from '@viva/openapi/types';

/** One event of `GET /v1/session/events`, parsed and checked against its schema in the spec. */
export type SessionEvent = components['schemas']['SessionEvent'];

/** An event as the wire carries it: `id:`, `event:` and `data:` lines. */
export interface RawSessionEvent {
  id: string;
  event: string;
  data: string;
}

export type ParsedSessionEvent =
  | { kind: 'event'; event: SessionEvent }
  /** A name this client does not know: new ones may be added within v1, so it is skipped, not an error. */
  | { kind: 'unknown' }
  /** A known name whose data does not match its schema. */
  | { kind: 'invalid'; reason: string };

type Checks = Record<string, (value: unknown) => boolean>;

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;
const oneOf =
  (...values: string[]) =>
  (value: unknown): boolean =>
    isString(value) && values.includes(value);

const interviewStatuses = ['scheduled', 'in_progress', 'completed', 'expired', 'canceled'];

// The required fields of each event's data schema (components/schemas/SessionEvent*), and what each holds.
const schemas: Record<SessionEvent['event'], Checks> = {
  state: {
    status: oneOf(...interviewStatuses),
    question_index: isCount,
    question_count: isCount,
    time_left_seconds: (value) => typeof value === 'number' && value >= 0,
    turn: oneOf('interviewer', 'candidate', 'none'),
  },
  'interviewer.delta': { turn_id: isString, text: isString },
  'interviewer.audio': {
    turn_id: isString,
    seq: isCount,
    format: oneOf('mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'),
    data: isString,
  },
  'interviewer.done': { turn_id: isString, text: isString },
  'candidate.transcript': { turn_id: isString, text: isString, final: (value) => typeof value === 'boolean' },
  'interview.completed': {
    interview_id: isString,
    reason: oneOf('questions_done', 'time_limit', 'token_budget', 'candidate_ended'),
  },
  error: { code: isString, message: isString },
};

function isKnown(name: string): name is SessionEvent['event'] {
  return Object.hasOwn(schemas, name);
}

/** Parses one event's JSON data and checks it against the schema its name implies. */
export function parseSessionEvent(raw: RawSessionEvent): ParsedSessionEvent {
  if (!isKnown(raw.event)) return { kind: 'unknown' };
  let data: unknown;
  try {
    data = JSON.parse(raw.data);
  } catch {
    return { kind: 'invalid', reason: `${raw.event} ${raw.id}: data is not JSON` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { kind: 'invalid', reason: `${raw.event} ${raw.id}: data is not an object` };
  }
  const record = data as Record<string, unknown>;
  for (const [field, check] of Object.entries(schemas[raw.event])) {
    if (!check(record[field])) {
      return { kind: 'invalid', reason: `${raw.event} ${raw.id}: ${field} is missing or malformed` };
    }
  }
  // Checked field by field above against the same schema the type comes from.
  return { kind: 'event', event: { id: raw.id, event: raw.event, data } as SessionEvent };
}
