/**
 * The script-tag entry (`dist/cdn/ai-interview.js`): registers `<ai-interview>`, and exposes the classes for
 * pages that script the widget or the headless client from the same file.
 */

export { InterviewClient } from './client/interview-client.ts';
export { AiInterview } from './element/ai-interview.ts';
