export { ConversationStore, ConversationsFull, TOKEN_TTL_SECONDS, type StoreLimits } from './conversations.js';
export { mountDirectLine, issueToken, storeRoute, BOT, isLoopback, query, type DirectLineDeps } from './routes.js';
export { PostgresConversationStore } from './postgresStore.js';
export type { DirectLineStore, ConversationRef } from './store.js';
export { AZURE_DIRECT_LINE, exchangeSecret, type DirectLineToken } from './azure.js';
