import { InterviewClient } from '../client/interview-client.ts';
import type { InterviewClientFactory } from './interview-client-like.ts';

/** The element's default: the real `InterviewClient`, which must satisfy `InterviewClientLike`. */
export const createInterviewClient: InterviewClientFactory = (options) => new InterviewClient(options);
