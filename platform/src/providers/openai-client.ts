import OpenAI from 'openai';

export interface OpenAiEndpoint {
  /** Many self-hosted servers need none: pass any placeholder (the client refuses an empty key). */
  apiKey: string;
  /** Up to and including the API version, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
}

/**
 * A client that takes nothing from `process.env`: left unset, the package would read OPENAI_ORG_ID,
 * OPENAI_PROJECT_ID and friends behind the platform's config, and send them to whatever host is configured.
 */
export function openAiClient(
  endpoint: OpenAiEndpoint,
  limits: { timeoutMs: number; maxRetries: number },
): OpenAI {
  return new OpenAI({
    apiKey: endpoint.apiKey,
    baseURL: endpoint.baseUrl,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: limits.timeoutMs,
    maxRetries: limits.maxRetries,
    logLevel: 'off',
  });
}
