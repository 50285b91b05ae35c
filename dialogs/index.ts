export { TRIAGE_DIALOG, TriageDialog, emergencyNumber, type BeginOptions, type TriageDialogDeps } from './triageDialog.js';
export { emptyIntake, addAlert, toAssessInput, turnClock, type Intake } from './intake.js';
export { inputText } from './prompts.js';
export { RESULT_EVENT, resultActivities, resultText } from './render.js';
export { rendersCards, showsSuggestedActions } from './channels.js';
export { say, strings } from './strings.js';
