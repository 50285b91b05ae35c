// A turn that could not run now and must be sent again: the channel is answered 503 with Retry-After (never a 200
// for an answer that was not kept), and the person, where the channel can reach them, is told to send it again.
export type UnavailableReason =
  /** The database did not answer (down, unreachable, out of connections). */
  | 'database'
  /** Another instance held this conversation's turn for longer than PG_TURN_LOCK_WAIT_MS. */
  | 'busy'
  /** The state changed under this turn (its version moved): sent again, the turn reads the new state. */
  | 'conflict';

export class TurnUnavailable extends Error {
  override name = 'TurnUnavailable';
  /** What the person was already sent in this turn's response (expectReplies), for the 503's body. */
  replies?: unknown[];

  constructor(readonly reason: UnavailableReason, readonly retryAfterSeconds: number, readonly code: string) {
    super(`turn refused for now (${reason}, ${code})`);
  }
}
