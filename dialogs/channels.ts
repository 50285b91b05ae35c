// What each channel can show. Slack via Azure turns Adaptive Cards into public PNGs (a health-data leak) and drops
// suggested actions, so it gets text; unknown channels get text too, because text always works.
const CARD_CHANNELS = new Set(['webchat', 'directline', 'msteams', 'emulator']);
const SUGGESTED_ACTION_CHANNELS = new Set(['webchat', 'directline', 'emulator', 'msteams', 'facebook', 'telegram', 'line']);
/** Web Chat (the page, the Emulator) renders markdown links in text, so a phone number can be a tel: link. */
const PHONE_LINK_CHANNELS = new Set(['webchat', 'directline', 'emulator']);
/** Channels behind this project's web page, which listens for the bot's events (the call-now panel). */
const PAGE_CHANNELS = new Set(['webchat', 'directline']);

export const rendersCards = (channelId: string | undefined) => CARD_CHANNELS.has(channelId ?? '');
export const showsSuggestedActions = (channelId: string | undefined) => SUGGESTED_ACTION_CHANNELS.has(channelId ?? '');
/** Teams shows at most three suggested actions; Web Chat wraps as many as a question needs. */
export const maxSuggestedActions = (channelId: string | undefined) => (channelId === 'msteams' ? 3 : 13);
export const usesMarkdown = (channelId: string | undefined) => channelId === 'slack';
export const linksPhones = (channelId: string | undefined) => PHONE_LINK_CHANNELS.has(channelId ?? '');
export const hasPage = (channelId: string | undefined) => PAGE_CHANNELS.has(channelId ?? '');
