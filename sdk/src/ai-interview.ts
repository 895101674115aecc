/** `@viva/sdk/ai-interview`: registers `<ai-interview>` (once, however often it is imported) and exports its class. */

export * from './client.ts';
export { AiInterview, default } from './element/ai-interview.ts';
