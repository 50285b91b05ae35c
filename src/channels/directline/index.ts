export { ConversationStore, TOKEN_TTL_SECONDS } from './conversations.js';
export { mountDirectLine, BOT, isLoopback, query, type DirectLineDeps } from './routes.js';
export { AZURE_DIRECT_LINE, exchangeSecret, type DirectLineToken } from './azure.js';
