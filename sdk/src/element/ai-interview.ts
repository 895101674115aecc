import AiInterview from './ai-interview.component.ts';

export { AiInterview };
export default AiInterview;

AiInterview.define('ai-interview');

declare global {
  interface HTMLElementTagNameMap {
    'ai-interview': AiInterview;
  }
}
