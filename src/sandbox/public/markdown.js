// A small subset of Feishu card markdown: **bold**, *italic*, ~~strike~~, `code`, [text](url), lists,
// headings, <at id=…></at>, <font color=…>, <text_tag>, HTML entities as characters. Everything else is escaped text.

export function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

/** The URL if it is http(s), else null: a javascript: or data: URL from a field is never a link. */
export function httpUrl(url) {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The sandbox's record links (https://sandbox.feishu.invalid/base/<app>?table=&record=) open this console at the row. */
function consoleUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' || parsed.hostname !== 'sandbox.feishu.invalid') return null;
    const app = decodeURIComponent(parsed.pathname.replace(/^\/base\//, ''));
    const params = new URLSearchParams({ base: app });
    for (const k of ['table', 'view', 'record'])
      if (parsed.searchParams.get(k)) params.set(k, parsed.searchParams.get(k));
    return `/sandbox?${params.toString()}`;
  } catch {
    return null;
  }
}

function safeUrl(url) {
  const own = consoleUrl(url);
  if (own) return own;
  return /^(https?:|mailto:|lark:|\/)/i.test(url) ? url : '#';
}

function inline(text, nameOf) {
  let s = escapeHtml(text);
  s = s.replace(
    /&lt;at (?:id|user_id|open_id|email)=(?:&quot;|&#39;)?([^&\s>]+?)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/at&gt;/g,
    (_m, id, label) => {
      const name = id === 'all' ? '所有人 all' : label || nameOf(id);
      return `<span class="at">@${name}</span>`;
    },
  );
  s = s.replace(
    /&lt;font color=(?:&quot;|&#39;)?([a-z-]+)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/font&gt;/g,
    (_m, color, body) => `<span style="color:${colorOf(color)}">${body}</span>`,
  );
  s = s.replace(
    /&lt;text_tag color=(?:&quot;|&#39;)?([a-z-]+)(?:&quot;|&#39;)?&gt;(.*?)&lt;\/text_tag&gt;/g,
    (_m, color, body) => `<span class="tag" style="color:${colorOf(color)}">${body}</span>`,
  );
  s = s.replace(
    /\[([^\]]+)\]\(([^)\s]+)\)/g,
    (_m, label, url) => `<a href="${safeUrl(url.replace(/&amp;/g, '&'))}" target="_blank" rel="noopener">${label}</a>`,
  );
  s = s.replace(/`([^`]+)`/g, '<code>$1</code>');
  s = s.replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>');
  s = s.replace(/~~([^~]+)~~/g, '<s>$1</s>');
  s = s.replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<i>$2</i>');
  // Feishu shows an HTML entity (`&#60;`, `&nbsp;`) as its character, never as syntax: the bot writes
  // user text that way. Decoded last, so a decoded character can no longer start a tag or a link.
  s = s.replace(/&amp;(#\d{1,7}|#x[0-9a-f]{1,6}|nbsp|ensp|emsp|lt|gt|amp|quot|sim);/gi, '&$1;');
  return s;
}

const COLORS = {
  red: '#f54a45',
  green: '#2ea121',
  blue: '#3370ff',
  orange: '#ff8800',
  grey: '#8f959e',
  yellow: '#d6a100',
  violet: '#a14fff',
  purple: '#7f3bf5',
  indigo: '#4954e6',
  carmine: '#e5487f',
  turquoise: '#04b49c',
  wathet: '#1ab0e8',
};
function colorOf(name) {
  return COLORS[name.replace(/-.*$/, '')] || '#1f2329';
}

/** Markdown source → HTML string (escaped). `nameOf(openId)` resolves mentions. */
export function markdown(source, nameOf = (id) => id) {
  const out = [];
  let list = null;
  const close = () => {
    if (list) out.push(`</${list}>`);
    list = null;
  };
  for (const line of String(source ?? '').split('\n')) {
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (bullet || numbered) {
      const kind = bullet ? 'ul' : 'ol';
      if (list !== kind) {
        close();
        out.push(`<${kind}>`);
        list = kind;
      }
      out.push(`<li>${inline((bullet || numbered)[1], nameOf)}</li>`);
      continue;
    }
    close();
    if (heading) out.push(`<h${heading[1].length}>${inline(heading[2], nameOf)}</h${heading[1].length}>`);
    else if (line.trim() === '') out.push('<p>&nbsp;</p>');
    else out.push(`<p>${inline(line, nameOf)}</p>`);
  }
  close();
  return out.join('');
}
