import { deflateSync } from 'node:zlib';
import { shortHash } from './answers/text';
import type { ProviderEndpoint } from './endpoint';
import { MALFORMED_BODY, type ErrorDetail } from './endpoint';
import { sendJson } from './http-io';

/**
 * The images the provider's URLs point at. Each is tiny but valid, so whatever downloads or shows
 * a generated image (the service, a browser) gets a real image of the promised format.
 */

const IMAGE_NAME = /^\/images\/([A-Za-z0-9_-]+)\.(png|jpg|jpeg|webp)$/;

export type ImageFormat = 'png' | 'jpg' | 'webp';

export function imageFileName(id: string, format: ImageFormat): string {
  return `${id}.${format}`;
}

/** `GET /images/<name>.<png|jpg|webp>`. */
export const imageFiles: ProviderEndpoint = {
  sendError(res, status, detail: ErrorDetail) {
    sendJson(res, status, { error: detail.message ?? `image download failed with status ${status}` }, retryHeader(detail));
  },
  sendMalformed({ res }) {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(MALFORMED_BODY);
  },
  answer({ req, res, entry }) {
    const match = IMAGE_NAME.exec(entry.path);
    if (!match) {
      entry.outcome = 'not_found';
      sendJson(res, 404, { error: `no image at ${entry.path}` });
      return;
    }
    const [, id, extension] = match;
    const { contentType, bytes } = imageBytes(id, extension === 'jpeg' ? 'jpg' : (extension as ImageFormat));
    res.writeHead(200, { 'content-type': contentType, 'content-length': String(bytes.length), 'cache-control': 'public, max-age=86400' });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  },
};

export function imageBytes(id: string, format: ImageFormat): { contentType: string; bytes: Buffer } {
  if (format === 'jpg') return { contentType: 'image/jpeg', bytes: GREY_JPEG };
  if (format === 'webp') return { contentType: 'image/webp', bytes: PIXEL_WEBP };
  return { contentType: 'image/png', bytes: solidPng(colourOf(id)) };
}

/** An 8×8 PNG in one colour taken from the image id, so different images look different. */
export function solidPng([r, g, b]: [number, number, number], size = 8): Buffer {
  const row = Buffer.alloc(1 + size * 3); // filter byte 0, then RGB pixels
  for (let x = 0; x < size; x++) row.set([r, g, b], 1 + x * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit truecolour, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function colourOf(id: string): [number, number, number] {
  const hex = shortHash(id, 6);
  return [0, 2, 4].map((at) => 64 + (parseInt(hex.slice(at, at + 2), 16) >> 1)) as [number, number, number];
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// An 8×8 mid-grey baseline JPEG: unit quantisation, one-code Huffman tables, one all-zero block.
const GREY_JPEG = Buffer.from([
  0xff, 0xd8, // start of image
  0xff, 0xdb, 0x00, 0x43, 0x00, ...new Array<number>(64).fill(1), // quantisation table 0
  0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00, // 8×8, one component
  0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, ...new Array<number>(15).fill(0), 0x00, // DC table: one code, category 0
  0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, ...new Array<number>(15).fill(0), 0x00, // AC table: one code, end of block
  0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, // start of scan
  0x3f, // DC 0 and end of block, padded with ones
  0xff, 0xd9, // end of image
]);

// A 1×1 lossless WebP.
const PIXEL_WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

function retryHeader(detail: ErrorDetail): Record<string, string> {
  return detail.retryAfter === undefined ? {} : { 'retry-after': String(detail.retryAfter) };
}
