// A minimal PNG encoder (RGBA, 8 bits, no interlace), so the Teams icons are drawn by code and need no image files or
// image library in the repo.
import { crc32, deflateSync } from 'node:zlib';

export type Rgba = readonly [number, number, number, number];

export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const row = 1 + width * 4;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter type "None" for every scanline
    for (let x = 0; x < width; x++) Buffer.from(pixel(x, y)).copy(raw, y * row + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Width, height and colour type from the IHDR chunk (what Teams checks on upload). */
export function pngInfo(png: Buffer): { width: number; height: number; colorType: number } {
  if (png.toString('latin1', 1, 4) !== 'PNG' || png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colorType: png[25]! };
}
