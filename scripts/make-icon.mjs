#!/usr/bin/env node
// Draws the extension's marketplace icon, media/icon.png (256×256 RGBA): "‹i›" — a tool call's
// angle brackets around the i of iTool — in white on a blue-to-violet rounded square. Written with
// zlib and a CRC table, no image library and no network, so the committed PNG can be regenerated
// anywhere: `node scripts/make-icon.mjs`.
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ROOT } from './ensure.mjs';

const N = 256;

/** Signed distance from (x, y) to a rounded square of half-size h and corner radius r, centred in the image. */
function roundedSquare(x, y, h, r) {
  const qx = Math.abs(x - N / 2) - (h - r);
  const qy = Math.abs(y - N / 2) - (h - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance from (x, y) to a segment a→b drawn with half-width w (a capsule). */
function capsule(x, y, [ax, ay], [bx, by], w) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) - w;
}

/** Coverage of a shape from its signed distance: a one-pixel edge, so edges are anti-aliased. */
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

const W = 11; // stroke half-width
const glyph = (x, y) =>
  Math.min(
    // ‹
    capsule(x, y, [92, 84], [52, 128], W),
    capsule(x, y, [52, 128], [92, 172], W),
    // ›
    capsule(x, y, [164, 84], [204, 128], W),
    capsule(x, y, [204, 128], [164, 172], W),
    // i: stem and dot
    capsule(x, y, [128, 118], [128, 172], W),
    Math.hypot(x - 128, y - 88) - 13,
  );

const top = [31, 111, 235];
const bottom = [110, 64, 201];
const raw = Buffer.alloc(N * (1 + 4 * N));
for (let y = 0; y < N; y++) {
  const row = y * (1 + 4 * N);
  raw[row] = 0; // PNG filter: none
  const t = y / (N - 1);
  const bg = top.map((c, i) => c + (bottom[i] - c) * t);
  for (let x = 0; x < N; x++) {
    const px = x + 0.5;
    const py = y + 0.5;
    const inside = cover(roundedSquare(px, py, 124, 44));
    const ink = cover(glyph(px, py));
    const o = row + 1 + 4 * x;
    for (let i = 0; i < 3; i++) raw[o + i] = Math.round(bg[i] + (255 - bg[i]) * ink);
    raw[o + 3] = Math.round(255 * inside);
  }
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bits per channel
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(ROOT, 'media', 'icon.png');
writeFileSync(out, png);
console.log(`${out}: ${N}×${N}, ${png.length} bytes`);
