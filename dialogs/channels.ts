// What each channel can show. Slack via Azure turns Adaptive Cards into public PNGs (a health-data leak) and drops
// suggested actions, so it gets text; unknown channels get text too, because text always works.
const CARD_CHANNELS = new Set(['webchat', 'directline', 'msteams', 'emulator']);
const SUGGESTED_ACTION_CHANNELS = new Set(['webchat', 'directline', 'emulator', 'msteams', 'facebook', 'telegram', 'line']);

export const rendersCards = (channelId: string | undefined) => CARD_CHANNELS.has(channelId ?? '');
export const showsSuggestedActions = (channelId: string | undefined) => SUGGESTED_ACTION_CHANNELS.has(channelId ?? '');
/** Teams shows at most three suggested actions. */
export const maxSuggestedActions = (channelId: string | undefined) => (channelId === 'msteams' ? 3 : 6);
export const usesMarkdown = (channelId: string | undefined) => channelId === 'slack';
