// The two icons a Teams app needs: "color" 192×192 (full colour) and "outline" 32×32 (white on transparent).
import { encodePng, type Rgba } from './png.js';

export const ACCENT = '#0F5C8C';
const BLUE: Rgba = [0x0f, 0x5c, 0x8c, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** A plus sign centred in a size×size square; arm = half the bar's width, reach = half its length. */
function inCross(x: number, y: number, size: number, arm: number, reach: number): boolean {
  const dx = Math.abs(x + 0.5 - size / 2);
  const dy = Math.abs(y + 0.5 - size / 2);
  return (dx <= arm && dy <= reach) || (dy <= arm && dx <= reach);
}

/** White plus on blue (a red cross is a protected emblem), readable at Teams' small and large sizes. */
export function colorIcon(): Buffer {
  return encodePng(192, 192, (x, y) => (inCross(x, y, 192, 20, 64) ? WHITE : BLUE));
}

/** Teams requires the outline icon to be white on a transparent background: a white cross outline. */
export function outlineIcon(): Buffer {
  return encodePng(32, 32, (x, y) => (inCross(x, y, 32, 5, 13) && !inCross(x, y, 32, 3, 11) ? WHITE : CLEAR));
}
