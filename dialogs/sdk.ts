// The botbuilder-dialogs classes this bot uses, imported from their own modules: the package's index also loads every
// prompt type with the multilingual number, date and choice recognisers (about a quarter of a second at start-up),
// none of which this bot uses. The version is pinned in package.json; the paths are the package's own files.
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog.js';
export { DialogTurnStatus, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog.js';
export type { DialogState } from 'botbuilder-dialogs/lib/dialogContext.js';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet.js';
export type { PromptOptions, PromptRecognizerResult, PromptValidatorContext } from 'botbuilder-dialogs/lib/prompts/prompt.js';
export { TextPrompt } from 'botbuilder-dialogs/lib/prompts/textPrompt.js';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog.js';
export type { WaterfallStepContext } from 'botbuilder-dialogs/lib/waterfallStepContext.js';
