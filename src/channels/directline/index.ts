export { ConversationStore, ConversationsFull, TOKEN_TTL_SECONDS, type StoreLimits } from './conversations.js';
export { mountDirectLine, issueToken, BOT, isLoopback, query, type DirectLineDeps } from './routes.js';
export { AZURE_DIRECT_LINE, exchangeSecret, type DirectLineToken } from './azure.js';
