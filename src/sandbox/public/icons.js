// Inline SVG icons for the console: emoji show as empty boxes on machines without an emoji font.
// Paths after Lucide (ISC licence), on a 24×24 grid, drawn in the current text colour.
const PATHS = {
  chat: '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/>',
  table: '<rect x="3" y="3" width="18" height="18" rx="2"/><path d="M3 9h18M3 15h18M9 3v18"/>',
  zap: '<path d="M13 2 3 14h9l-1 8 10-12h-9z"/>',
  chart: '<path d="M3 3v18h18"/><path d="M7 16v-4M12 16V8M17 16v-7"/>',
  flask: '<path d="M9 2v6L4 19a2 2 0 0 0 1.8 3h12.4a2 2 0 0 0 1.8-3L15 8V2M8 2h8M7 15h10"/>',
  wave:
    '<path d="M7 11V6a2 2 0 0 1 4 0v5M11 10V4a2 2 0 0 1 4 0v6M15 10V6a2 2 0 0 1 4 0v8a7 7 0 0 1-7 7h-1a7 7 0 ' +
    '0 1-6-3.4L3.3 14a2 2 0 0 1 3.4-2L7 12.5V11"/>',
  check: '<path d="M20 6 9 17l-5-5"/>',
  checkCircle: '<circle cx="12" cy="12" r="10"/><path d="m8 12 3 3 5-6"/>',
  circle: '<circle cx="12" cy="12" r="10"/>',
  checked: '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="m7 12 3 3 7-7"/>',
  unchecked: '<rect x="3" y="3" width="18" height="18" rx="3"/>',
  trash: '<path d="M3 6h18M8 6V4a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2M19 6l-1 14a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2L5 6"/>',
  image: '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="9" cy="9" r="2"/><path d="m21 15-5-5L5 21"/>',
  info: '<circle cx="12" cy="12" r="10"/><path d="M12 16v-4M12 8h.01"/>',
  alert:
    '<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 ' +
    '9v4M12 17h.01"/>',
  x: '<path d="M18 6 6 18M6 6l12 12"/>',
};

/** An icon as an HTML string; `label` makes it announced, otherwise it is decoration. */
export function icon(name, { size = 16, label } = {}) {
  const a11y = label ? `role="img" aria-label="${label.replace(/[&"<>]/g, '')}"` : 'aria-hidden="true"';
  return (
    `<svg class="icon" viewBox="0 0 24 24" width="${size}" height="${size}" fill="none" stroke="currentColor` +
    `" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" ${a11y}` +
    `>${PATHS[name] ?? ''}</svg>`
  );
}

/** The same icon as an element (for code that builds nodes). */
export function iconNode(name, options) {
  const box = document.createElement('span');
  box.className = 'icon-box';
  box.innerHTML = icon(name, options);
  return box;
}

/** Static markup with `<i data-icon="name">` placeholders (index.html) gets its icons at start. */
export function fillIcons(root = document) {
  for (const el of root.querySelectorAll('[data-icon]'))
    el.innerHTML = icon(el.dataset.icon, { size: Number(el.dataset.size) || 16 });
}
