// Structured logs that never carry what a person told us about their health (unless the debug switch is on).
import { writeSync } from 'node:fs';
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

/** Bytes of log lines held while the destination is slow or failing; past it, lines are dropped and counted. */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

export interface LogDestination {
  stream: pino.DestinationStream;
  /** Lines dropped because the buffer was full, and writes that failed (a full disk, a closed pipe). */
  stats(): { dropped: number; failedWrites: number };
}

/**
 * stdout written asynchronously through a bounded buffer: a full disk or a stalled pipe never blocks the event loop
 * (pino's default writer retries synchronously), lines past the buffer are dropped and counted, and when writing works
 * again the count is logged.
 */
export function createLogDestination(fd = 1, maxBytes = LOG_BUFFER_BYTES): LogDestination {
  let dropped = 0;
  let failedWrites = 0;
  let reported = 0;
  const stream = pino.destination({ fd, sync: false, maxLength: maxBytes, retryEAGAIN: () => true });
  stream.on('drop', () => { dropped++; });
  stream.on('error', () => { failedWrites++; }); // the buffered lines stay; the next line retries the write
  // pino flushes synchronously at exit, and sonic-boom's flushSync retries a failing write for ever: a full disk would
  // hang the exit. One attempt per buffered chunk, then whatever is left is dropped.
  const internals = stream as unknown as { _bufs: (string | Buffer)[]; _writingBuf: string | Buffer; _len: number };
  (stream as unknown as { flushSync: () => void }).flushSync = () => {
    const chunks = [internals._writingBuf, ...internals._bufs].filter((c) => c && c.length);
    internals._bufs = [];
    internals._writingBuf = '';
    internals._len = 0;
    for (const chunk of chunks) {
      try {
        writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      } catch {
        dropped++;
        break;
      }
    }
  };
  stream.on('write', () => {
    if (dropped === reported) return;
    const n = dropped - reported;
    reported = dropped;
    stream.write(`${JSON.stringify({ level: 40, time: Date.now(), service: 'triage-bot', dropped: n, msg: 'log lines dropped while the log could not be written' })}\n`);
  });
  return { stream, stats: () => ({ dropped, failedWrites }) };
}

/**
 * Libraries (the Bot Framework SDK among them) print to console.error and console.warn: PEM certificates, token
 * errors, whole activities. Those lines go through the logger instead, reduced to a fixed message and the error's
 * name unless the debug switch is on, and never with key material.
 */
export function captureConsole(logger: Logger, logHealthData: boolean): void {
  const sink = (level: 'warn' | 'error') => (...args: unknown[]) => {
    const err = args.find((a): a is Error => a instanceof Error);
    const detail = logHealthData ? { text: scrubSecrets(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')).slice(0, 500) } : {};
    logger[level]({ source: 'library-console', errName: err?.name, ...detail }, 'a library wrote to the console');
  };
  console.error = sink('error');
  console.warn = sink('warn');
}

/** PEM blocks, JWTs and bearer credentials out of a text. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g, '[pem]')
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '[jwt]')
    .replace(/(bearer|basic)\s+\S+/gi, '$1 [credential]')
    .replace(/[A-Za-z0-9+/=_-]{40,}/g, '[redacted]');
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
