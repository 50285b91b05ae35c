export { mountSlack, type SlackDeps } from './routes.js';
export { SlackAdapter, toSlackText, fromSlackText, type Bot } from './adapter.js';
export { verifySlackRequest, slackSignature, MAX_AGE_SECONDS } from './verify.js';
export { SeenEvents } from './dedupe.js';
