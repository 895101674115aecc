import { ApiKeySchema } from '../api-keys/api-key.entity.ts';
import { CandidateSchema } from '../candidates/candidate.entity.ts';
import { EventSchema } from '../events/event.entity.ts';
import { InterviewSchema } from '../interviews/interview.entity.ts';
import { JobSchema } from '../jobs/job.entity.ts';
import { ScorecardSchema } from '../scoring/scorecard.entity.ts';
import { SigningKeySchema } from '../sessions/signing-key.entity.ts';
import { TenantSchema } from '../tenants/tenant.entity.ts';
import { TurnSchema } from '../transcripts/turn.entity.ts';
import { WebhookDeliverySchema } from '../webhooks/webhook-delivery.entity.ts';
import { WebhookEndpointSchema } from '../webhooks/webhook-endpoint.entity.ts';

export const entities = [
  TenantSchema,
  ApiKeySchema,
  JobSchema,
  CandidateSchema,
  InterviewSchema,
  TurnSchema,
  SigningKeySchema,
  EventSchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  ScorecardSchema,
];
