// Structured logs that never carry what a person told us about their health (unless the debug switch is on).
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** Keys that can hold message text, answers or clinical findings. */
const HEALTH_KEYS = [
  'text', 'value', 'answers', 'answer', 'symptoms', 'medications', 'doseChanges', 'followUps',
  'body', 'rawBody', 'attachments', 'findings', 'evidence', 'patterns', 'redFlags', 'assessment',
  'headline', 'advice', 'temperatureC', 'input', 'utterance',
];

// Three levels deep covers `{ activity: { value: { symptoms } } }`-style objects without a costly deep scan.
const REDACT_PATHS = HEALTH_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

/** Only the request's shape, never its body or headers (they may carry bearer keys). */
function reqSerializer(req: { method?: string; url?: string; id?: unknown; socket?: { remoteAddress?: string } }) {
  const id = typeof req.id === 'function' ? (req.id as () => string)() : req.id;
  return { method: req.method, url: req.url?.split('?')[0], id, remoteAddress: req.socket?.remoteAddress };
}

function resSerializer(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

export function createLogger(
  config: Pick<Config, 'logLevel' | 'logHealthData'>,
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'triage-bot' },
    serializers: { req: reqSerializer, res: resSerializer, err: pino.stdSerializers.err },
    redact: config.logHealthData ? undefined : { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
