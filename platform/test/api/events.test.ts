import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  apiClient,
  createTestTenant,
  describeResponse,
  type TestTenant,
} from '../support/api.ts';
import { createInterview } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/harness.ts';
import { until } from '../support/interview-flow.ts';

type Event = { id: string; type: string; created_at: string };

let test: TestPlatform;
let api: ApiClient;
let tenant: TestTenant;

beforeAll(async () => {
  test = await startTestPlatform();
  api = apiClient(test.url);
  // A tenant of its own: its event log holds only what these tests do.
  tenant = await createTestTenant(api);
});
afterAll(async () => test?.stop());

async function listEvents(query: string) {
  const res = await api.call<{ data: Event[] }>('GET', `/v1/events?${query}`, { key: tenant.testKey });
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body.data;
}

async function scheduledEvent(): Promise<Event> {
  const { interviewId } = await createInterview(api, tenant.testKey);
  const [event] = await listEvents(`interview_id=${interviewId}&type=interview.scheduled`);
  expect(event, `no interview.scheduled event for ${interviewId}`).toBeDefined();
  return event!;
}

describe('events', () => {
  it('filters by created_gte (inclusive) and created_lt (exclusive)', async () => {
    const first = await scheduledEvent();
    await until(
      'the clock has moved past the first event',
      async () => Date.now() > Date.parse(first.created_at),
    );
    const second = await scheduledEvent();
    expect(Date.parse(second.created_at)).toBeGreaterThan(Date.parse(first.created_at));
    const ids = async (filters: Record<string, string>) =>
      (await listEvents(new URLSearchParams(filters).toString())).map((e) => e.id);

    expect(await ids({ created_gte: first.created_at })).toEqual([second.id, first.id]);
    expect(await ids({ created_gte: second.created_at })).toEqual([second.id]);
    expect(await ids({ created_lt: second.created_at })).toEqual([first.id]);
    expect(await ids({ created_lt: first.created_at })).toEqual([]);
    expect(await ids({ created_gte: first.created_at, created_lt: second.created_at })).toEqual([first.id]);
  });

  it('refuses a created_gte that is not a date-time (400)', async () => {
    const res = await api.call('GET', '/v1/events?created_gte=yesterday', { key: tenant.testKey });
    expect(res.status, describeResponse(res)).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_request', param: 'created_gte' });
  });
});
