// Conversation state as botbuilder's ConversationState keeps it (same storage keys, same property accessors for the
// dialogs), without its change hash: BotState serialises the whole state on every load and again after every save
// to learn whether it changed. This bot writes back every turn that read the state, so the hash is never needed.
import { ConversationState, type TurnContext } from 'botbuilder';

interface Cached { state: Record<string, unknown> }

export class ConversationStore extends ConversationState {
  private readonly cacheKey = Symbol('conversationStore');

  // `any`, as in BotState's own signatures.
  override async load(ctx: TurnContext, force = false): Promise<any> {
    const cached = ctx.turnState.get<Cached>(this.cacheKey);
    if (cached && !force) return cached.state;
    const key = await this.storageKey(ctx);
    const items = await this.storage.read([key]);
    const state = (items[key] ?? {}) as Record<string, unknown>;
    ctx.turnState.set(this.cacheKey, { state } satisfies Cached);
    return state;
  }

  /** Writes the state if this turn read it (or `force`); eTag `*`, as BotState does: turns are queued per conversation. */
  override async saveChanges(ctx: TurnContext, force = false): Promise<void> {
    let cached = ctx.turnState.get<Cached>(this.cacheKey);
    if (!cached && !force) return;
    cached ??= { state: {} };
    const key = await this.storageKey(ctx);
    cached.state.eTag = '*';
    await this.storage.write({ [key]: cached.state });
    ctx.turnState.set(this.cacheKey, cached);
  }

  override async clear(ctx: TurnContext): Promise<void> {
    ctx.turnState.set(this.cacheKey, { state: {} } satisfies Cached);
  }

  override async delete(ctx: TurnContext): Promise<void> {
    ctx.turnState.delete(this.cacheKey);
    await this.storage.delete([await this.storageKey(ctx)]);
  }

  override get(ctx: TurnContext): any {
    return ctx.turnState.get<Cached>(this.cacheKey)?.state;
  }
}
