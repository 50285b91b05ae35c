// Intake handoff (issue 12): saved assessments with consent, staff queue and API, signed alerts, FHIR R4 export, audit
// trail and retention. Off unless INTAKE_RECORDS=on.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { Records, type RecordsOptions } from './service.js';

export { Records } from './service.js';
export { RecordsStorageError } from './db.js';

/** The records service when INTAKE_RECORDS=on (undefined otherwise); alert failures are logged without content. */
export function startRecords(config: Pick<Config, 'records'>, logger: Logger, opts: RecordsOptions = {}): Records | undefined {
  if (!config.records.enabled) return undefined;
  const log = logger.child({ component: 'alerts' });
  return new Records(config.records, {
    onAlertError: ({ id, error, attempts }) => log.warn({ alertId: id, error, attempts }, 'alert not delivered; will retry'),
    onBackgroundError: ({ task, code }) => logger.warn({ component: 'records', task, code }, 'records background task failed; will retry'),
    ...opts,
  });
}
