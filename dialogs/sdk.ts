// The botbuilder-dialogs classes this bot uses, imported from their own modules: the package's index also loads every
// prompt type with the multilingual number, date and choice recognisers (about a quarter of a second at start-up),
// none of which this bot uses. The version is pinned in package.json; the paths are the package's own files.
export { Dialog, DialogTurnStatus, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog.js';
export type { DialogContext, DialogState } from 'botbuilder-dialogs/lib/dialogContext.js';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet.js';
