// Conversation state as botbuilder's ConversationState keeps it (same storage keys, same property accessors for the
// dialogs), without its change hash: BotState serialises the whole state on every load and again after every save
// to learn whether it changed. This bot writes back every turn that read the state, so the hash is never needed.
// On a shared store (PostgreSQL) a turn holds its conversation on every instance, and reads and writes through it.
import { ConversationState, type TurnContext } from 'botbuilder';
import type { ConversationStorage, ConversationTurn } from '../storage/index.js';

interface Cached { state: Record<string, unknown> }

export class ConversationStore extends ConversationState {
  private readonly cacheKey = Symbol('conversationStore');
  private readonly turnKey = Symbol('conversationTurn');

  /** Runs a turn's work holding the conversation where the store shares it between instances. */
  async inTurn(ctx: TurnContext, fn: () => Promise<void>): Promise<void> {
    const storage = this.storage as ConversationStorage;
    if (!storage.turn) return fn();
    await storage.turn(await this.storageKey(ctx), async (turn) => {
      ctx.turnState.set(this.turnKey, turn);
      try {
        await fn();
      } finally {
        ctx.turnState.delete(this.turnKey);
      }
    });
  }

  private heldTurn(ctx: TurnContext): ConversationTurn | undefined {
    const turn = ctx.turnState.get<ConversationTurn>(this.turnKey);
    return turn && !turn.finished ? turn : undefined;
  }

  // `any`, as in BotState's own signatures.
  override async load(ctx: TurnContext, force = false): Promise<any> {
    const cached = ctx.turnState.get<Cached>(this.cacheKey);
    if (cached && !force) return cached.state;
    const turn = this.heldTurn(ctx);
    let state: Record<string, unknown>;
    if (turn) state = turn.state();
    else {
      const key = await this.storageKey(ctx);
      state = ((await this.storage.read([key]))[key] ?? {}) as Record<string, unknown>;
    }
    ctx.turnState.set(this.cacheKey, { state } satisfies Cached);
    return state;
  }

  /** Writes the state if this turn read it (or `force`); eTag `*` unless the turn is held: turns are queued per conversation. */
  override async saveChanges(ctx: TurnContext, force = false): Promise<void> {
    let cached = ctx.turnState.get<Cached>(this.cacheKey);
    if (!cached && !force) return;
    cached ??= { state: {} };
    const turn = this.heldTurn(ctx);
    // Held: written at the version read, with the commit. Not held (one process per store): queued per conversation.
    if (turn) await turn.write(cached.state);
    else {
      cached.state.eTag = '*';
      await this.storage.write({ [await this.storageKey(ctx)]: cached.state });
    }
    ctx.turnState.set(this.cacheKey, cached);
  }

  override async clear(ctx: TurnContext): Promise<void> {
    ctx.turnState.set(this.cacheKey, { state: {} } satisfies Cached);
  }

  override async delete(ctx: TurnContext): Promise<void> {
    ctx.turnState.delete(this.cacheKey);
    const turn = this.heldTurn(ctx);
    if (turn) await turn.remove();
    else await this.storage.delete([await this.storageKey(ctx)]);
  }

  override get(ctx: TurnContext): any {
    return ctx.turnState.get<Cached>(this.cacheKey)?.state;
  }
}
