// OpenAI's base64 form of a vector: its float32 values, little-endian, base64-encoded. Read from providers, written
// for clients.

export function float32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (const [i, value] of vector.entries()) view.setFloat32(i * 4, value, true);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Throws on text that is not base64 (atob's own error). */
export function base64Float32(text: string): number[] {
  const binary = atob(text);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out: number[] = [];
  for (let i = 0; i + 4 <= binary.length; i += 4) out.push(view.getFloat32(i, true));
  return out;
}

/**
 * The shortest decimal (as a number) that reads back as this float32: a float32 has at most 9 significant digits
 * that matter, and from 6 up the first precision that round-trips is taken. Not a float32: returned as it is.
 */
export function shortestFloat32(value: number): number {
  if (value === 0 || !Number.isFinite(value) || Math.fround(value) !== value) return value;
  for (let digits = 6; digits < 9; digits++) {
    const short = Number(value.toPrecision(digits));
    if (Math.fround(short) === value) return short;
  }
  return Number(value.toPrecision(9));
}
