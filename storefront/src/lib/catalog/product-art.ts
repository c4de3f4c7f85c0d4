/**
 * The demo catalog's product images: a deterministic SVG per product image,
 * drawn from a hash of the slug (colours, motif) and the slug's words
 * (initials), so the shop renders with no internet and every product looks
 * different. Served by src/app/media/products/[file]/route.ts.
 */

/** `<slug>-<n>.svg` → { slug, index }; null when the name is not one of ours. */
export function parseProductArtFile(file: string): { slug: string; index: number } | null {
  const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)-([1-9]\d?)\.svg$/.exec(file);
  if (!match?.[1] || !match[2] || match[1].length > 120) return null;
  return { slug: match[1], index: Number(match[2]) };
}

/** FNV-1a, 32 bits: small, stable across runtimes. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A small deterministic sequence of numbers in [0, 1) from a seed. */
function sequence(seed: number): () => number {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** "northwind-original-graphic-tee-2" → "NT": the first and last words that are not numbers. */
export function initialsOf(slug: string): string {
  const words = slug.split('-').filter((word) => /[a-z]/.test(word));
  const first = words[0]?.[0] ?? '?';
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? '') : '';
  return `${first}${last}`.toUpperCase();
}

const SIZE = 800;

export function productArtSvg(slug: string, index: number): string {
  const base = hash(slug);
  const random = sequence(hash(`${slug}#${index}`));
  const hue = (base % 360) + (index - 1) * 27;
  const hue2 = hue + 35 + (base % 50);
  const saturation = 38 + (base % 25);
  const from = `hsl(${hue % 360}, ${saturation}%, 34%)`;
  const to = `hsl(${hue2 % 360}, ${saturation + 8}%, 24%)`;
  const motif = (base >>> 9) % 3;
  const shapes: string[] = [];
  for (let i = 0; i < 7; i++) {
    const x = Math.round(random() * SIZE);
    const y = Math.round(random() * SIZE);
    const r = Math.round(60 + random() * 200);
    const opacity = (0.08 + random() * 0.14).toFixed(2);
    const fill = i % 2 === 0 ? '#ffffff' : `hsl(${(hue + 180) % 360}, 70%, 70%)`;
    if (motif === 0) shapes.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" fill-opacity="${opacity}"/>`);
    else if (motif === 1) {
      const angle = Math.round(random() * 90);
      shapes.push(
        `<rect x="${x - r / 2}" y="${y - r / 2}" width="${r}" height="${r}" rx="${Math.round(r / 8)}" transform="rotate(${angle} ${x} ${y})" fill="${fill}" fill-opacity="${opacity}"/>`,
      );
    } else {
      shapes.push(`<path d="M0 ${y} Q ${x} ${y - r} ${SIZE} ${y + r / 3} L ${SIZE} ${SIZE} L 0 ${SIZE} Z" fill="${fill}" fill-opacity="${opacity}"/>`);
    }
  }
  const initials = initialsOf(slug);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}" role="img">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
<rect width="${SIZE}" height="${SIZE}" fill="url(#g)"/>
${shapes.join('\n')}
<circle cx="400" cy="400" r="170" fill="#ffffff" fill-opacity="0.14"/>
<text x="400" y="400" dy="0.35em" text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif" font-size="150" font-weight="700" fill="#ffffff" letter-spacing="6">${initials}</text>
${index > 1 ? `<text x="760" y="760" text-anchor="end" font-family="system-ui, sans-serif" font-size="40" fill="#ffffff" fill-opacity="0.8">${index}</text>` : ''}
</svg>`;
}
