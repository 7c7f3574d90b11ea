// Small helpers: elements are built with text, never from HTML strings.

/** `el('li', {class: 'row', 'data-id': 3}, 'text', child)`: attributes, then children (text or nodes). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function formatCost(usd) {
  return `$${Number(usd ?? 0).toFixed(6)}`;
}

export function formatNumber(n) {
  return Number(n ?? 0).toLocaleString('en');
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '';
}

/** "3 keywords", "1 keyword". */
export function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
