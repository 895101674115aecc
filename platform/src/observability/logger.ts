import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Structured JSON logs. Credentials are redacted by path as a second line of defence: the first is that
 * no code logs a header or body wholesale.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'viva-platform' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.secret',
        '*.api_key',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
