import { Migration20261122Initial } from './Migration20261122Initial.ts';
import { Migration20261123Sessions } from './Migration20261123Sessions.ts';
import { Migration20261124Webhooks } from './Migration20261124Webhooks.ts';
import { Migration20261125Scorecards } from './Migration20261125Scorecards.ts';
import { Migration20261126Interruptions } from './Migration20261126Interruptions.ts';
import { Migration20261127WebhookClaimOrder } from './Migration20261127WebhookClaimOrder.ts';
import { Migration20261128LiveKitAgents } from './Migration20261128LiveKitAgents.ts';
import { Migration20261129IdempotencyKeyLength } from './Migration20261129IdempotencyKeyLength.ts';
import { Migration20261207CandidateBlobErasure } from './Migration20261207CandidateBlobErasure.ts';
import { Migration20261207EndpointLastFailure } from './Migration20261207EndpointLastFailure.ts';
import { Migration20261207EventsUndispatched } from './Migration20261207EventsUndispatched.ts';
import { Migration20261207IdempotencyClaims } from './Migration20261207IdempotencyClaims.ts';
import { Migration20261207InterviewJobSnapshot } from './Migration20261207InterviewJobSnapshot.ts';
import { Migration20261208ScorecardTakeovers } from './Migration20261208ScorecardTakeovers.ts';
import { Migration20261209CandidateUpdatedAt } from './Migration20261209CandidateUpdatedAt.ts';
import { Migration20261210AgentSilence } from './Migration20261210AgentSilence.ts';
import { Migration20261210WebhookFailureReason } from './Migration20261210WebhookFailureReason.ts';

/** Every migration in order. Listed, not globbed, so a build or bundler cannot drop one. */
export const migrations = [
  Migration20261122Initial,
  Migration20261123Sessions,
  Migration20261124Webhooks,
  Migration20261125Scorecards,
  Migration20261126Interruptions,
  Migration20261127WebhookClaimOrder,
  Migration20261128LiveKitAgents,
  Migration20261129IdempotencyKeyLength,
  Migration20261207IdempotencyClaims,
  Migration20261207EventsUndispatched,
  Migration20261207EndpointLastFailure,
  Migration20261207InterviewJobSnapshot,
  Migration20261207CandidateBlobErasure,
  Migration20261208ScorecardTakeovers,
  Migration20261209CandidateUpdatedAt,
  Migration20261210WebhookFailureReason,
  Migration20261210AgentSilence,
];
