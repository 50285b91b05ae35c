export { GATE_FIRED, RESET_EVENT, TRIAGE_DIALOG, TriageDialog, type BeginOptions, type TriageDialogDeps } from './triageDialog.js';
export { contactNumber, emergencyNumber } from './contacts.js';
export { emptyIntake, addAlert, normaliseIntake, toAssessInput, turnClock, type Intake } from './intake.js';
export { inputText } from './prompts.js';
export { RESULT_EVENT, phone, resultActivities, resultText } from './render.js';
export { hasPage, linksPhones, rendersCards, showsSuggestedActions } from './channels.js';
export { SCREEN_SIGNS } from './screen.js';
export { say, strings } from './strings.js';
