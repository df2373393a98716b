// Renders Feishu card JSON 2.0 (and the common 1.0 shapes) into DOM, wiring interactions to ctx.onAction.
import { escapeHtml, httpUrl, markdown } from './markdown.js';
import { icon } from './icons.js';

const h = (tag, attrs = {}, children = []) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'html') el.innerHTML = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of [].concat(children)) if (c) el.append(c);
  return el;
};

const textOf = (t) => (t == null ? '' : typeof t === 'string' ? t : (t.content ?? t.i18n?.zh_cn ?? ''));
const callbackValue = (el) => {
  const cb = (el.behaviors || []).find((b) => b.type === 'callback');
  return cb ? cb.value : el.value;
};
// Only http(s) opens: a card's javascript: URL does nothing.
const openUrl = (el) =>
  httpUrl((el.behaviors || []).find((b) => b.type === 'open_url')?.default_url ?? el.url ?? el.multi_url?.url);
const todayPlus0800 = (d) => `${d} +0800`;

function richText(t, ctx) {
  if (t && t.tag === 'lark_md') return h('div', { class: 'fcard-md', html: markdown(t.content, ctx.nameOf) });
  return h('div', { class: 'fcard-md', text: textOf(t) });
}

function field(el, control) {
  const label = el.label ? textOf(el.label) : '';
  return h('div', { class: 'fcard-field' }, [
    label ? h('label', { html: `${escapeHtml(label)}${el.required ? ' <span class="req">*</span>' : ''}` }) : null,
    control,
  ]);
}

/** Reads a form's inputs into form_value, keyed by component name (FEISHU.md §b.1). */
function collectForm(formEl) {
  const value = {};
  for (const input of formEl.querySelectorAll('[data-name]')) {
    const name = input.dataset.name;
    if (input.multiple) value[name] = [...input.selectedOptions].map((o) => o.value);
    else if (input.type === 'checkbox') value[name] = input.checked;
    else if (input.type === 'date') value[name] = input.value ? todayPlus0800(input.value) : '';
    else if (input.type === 'time') value[name] = input.value ? `${input.value} +0800` : '';
    else if (input.type === 'datetime-local') value[name] = input.value ? `${input.value.replace('T', ' ')} +0800` : '';
    else value[name] = input.value;
  }
  return value;
}

function button(el, ctx, scope) {
  const type = el.type || 'default';
  const cls = [
    'btn',
    `fbtn-${type}`,
    type.startsWith('primary') && !type.endsWith('_text') ? 'btn-primary' : '',
    type.startsWith('danger') && !type.endsWith('_text') ? 'btn-danger' : '',
    el.width === 'fill' ? 'w-fill' : '',
  ].join(' ');
  const onclick = async (event) => {
    event.preventDefault();
    if (el.confirm) {
      const ok = await ctx.confirm(textOf(el.confirm.title) || '确认操作 Confirm', textOf(el.confirm.text));
      if (!ok) return;
    }
    const url = openUrl(el);
    if (url) window.open(url, '_blank', 'noopener');
    if (scope.form && el.form_action_type === 'reset') return scope.form.reset();
    if (scope.form && el.form_action_type === 'submit') {
      const form_value = collectForm(scope.form);
      const value = callbackValue(el);
      return ctx.onAction({ tag: 'button', name: el.name, form_value, ...(value !== undefined ? { value } : {}) });
    }
    const value = callbackValue(el);
    if (value !== undefined) ctx.onAction({ tag: 'button', value, ...(el.name ? { name: el.name } : {}) });
  };
  return h('button', { class: cls, disabled: el.disabled, onclick, 'data-testid': 'card-button' }, [
    textOf(el.text) || '按钮',
  ]);
}

function selectStatic(el, ctx, scope, multiple) {
  const options = (el.options || []).map((o) => h('option', { value: o.value }, [textOf(o.text)]));
  const select = h('select', { 'data-name': scope.form ? el.name : null, multiple }, [
    multiple ? null : h('option', { value: '', disabled: true }, [textOf(el.placeholder) || '请选择 Select']),
    ...options,
  ]);
  select.value = el.initial_option ?? '';
  if (!scope.form) {
    select.addEventListener('change', () =>
      ctx.onAction({
        tag: el.tag,
        ...(multiple ? { options: [...select.selectedOptions].map((o) => o.value) } : { option: select.value }),
        ...(callbackValue(el) !== undefined ? { value: callbackValue(el) } : {}),
        ...(el.name ? { name: el.name } : {}),
      }),
    );
  }
  return field(el, select);
}

function selectPerson(el, ctx, scope) {
  const ids = (el.options || []).map((o) => o.value);
  const people = (ids.length ? ids : ctx.users.map((u) => u.open_id)).map((id) => ({
    value: id,
    text: ctx.nameOf(id),
  }));
  return selectStatic({ ...el, options: people }, ctx, scope, el.tag === 'multi_select_person');
}

function picker(el, ctx, scope, type) {
  const input = h('input', {
    type,
    'data-name': scope.form ? el.name : null,
    value: el.initial_date ?? el.initial_time ?? el.initial_datetime ?? '',
  });
  if (!scope.form) {
    input.addEventListener('change', () => {
      const v = type === 'date' ? todayPlus0800(input.value) : `${input.value.replace('T', ' ')} +0800`;
      ctx.onAction({
        tag: el.tag,
        option: v,
        ...(callbackValue(el) !== undefined ? { value: callbackValue(el) } : {}),
        ...(el.name ? { name: el.name } : {}),
      });
    });
  }
  return field({ ...el, label: el.label ?? el.placeholder }, input);
}

function input(el, ctx, scope) {
  const multi = el.input_type === 'multiline_text';
  const control = h(multi ? 'textarea' : 'input', {
    'data-name': scope.form ? el.name : null,
    placeholder: textOf(el.placeholder),
    rows: multi ? (el.rows ?? 3) : null,
    type: el.input_type === 'password' ? 'password' : null,
    maxlength: el.max_length,
  });
  control.value = el.default_value ?? '';
  if (!scope.form) {
    control.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !multi)
        ctx.onAction({
          tag: 'input',
          input_value: control.value,
          ...(callbackValue(el) !== undefined ? { value: callbackValue(el) } : {}),
          ...(el.name ? { name: el.name } : {}),
        });
    });
  }
  return field(el, control);
}

function columns(el, ctx, scope) {
  const cols = (el.columns || []).map((c) => {
    const grow = c.width === 'weighted' || c.weight ? (c.weight ?? 1) : 0;
    const style = grow ? `flex:${grow} 1 0` : c.width && c.width !== 'auto' ? `flex:0 0 ${c.width}` : 'flex:0 0 auto';
    return h(
      'div',
      { class: 'fcard-col', style },
      (c.elements || []).map((x) => renderElement(x, ctx, scope)),
    );
  });
  // flex_mode "flow" wraps columns onto new lines when they do not fit, as Feishu does.
  const flow = el.flex_mode === 'flow' ? 'flow' : '';
  return h('div', { class: `fcard-cols ${flow} ${el.background_style === 'grey' ? 'bg-grey' : ''}` }, cols);
}

function renderElement(el, ctx, scope) {
  switch (el.tag) {
    case 'markdown':
    case 'lark_md':
      return h('div', {
        class: 'fcard-md',
        style: el.text_align ? `text-align:${el.text_align}` : null,
        html: markdown(el.content, ctx.nameOf),
      });
    case 'div': {
      const parts = [el.text ? richText(el.text, ctx) : null];
      if (el.fields)
        parts.push(
          h(
            'div',
            { class: 'fcard-fields' },
            el.fields.map((f) => richText(f.text, ctx)),
          ),
        );
      return h('div', {}, parts);
    }
    case 'plain_text':
      return h('div', { class: 'fcard-md', text: el.content });
    case 'hr':
      return h('hr', { class: 'fcard-hr' });
    case 'column_set':
      return columns(el, ctx, scope);
    case 'button':
      return button(el, ctx, scope);
    case 'action':
      return h(
        'div',
        { class: 'fcard-actions' },
        (el.actions || []).map((a) => renderElement(a, ctx, scope)),
      );
    case 'select_static':
      return selectStatic(el, ctx, scope, false);
    case 'multi_select_static':
      return selectStatic(el, ctx, scope, true);
    case 'select_person':
    case 'multi_select_person':
      return selectPerson(el, ctx, scope);
    case 'date_picker':
      return picker(el, ctx, scope, 'date');
    case 'picker_time':
      return picker(el, ctx, scope, 'time');
    case 'picker_datetime':
      return picker(el, ctx, scope, 'datetime-local');
    case 'input':
      return input(el, ctx, scope);
    case 'checker': {
      const box = h('input', { type: 'checkbox', 'data-name': scope.form ? el.name : null, checked: el.checked });
      if (!scope.form)
        box.addEventListener('change', () =>
          ctx.onAction({ tag: 'checker', checked: box.checked, value: callbackValue(el) }),
        );
      return h('label', { class: 'fcard-checker' }, [box, textOf(el.text)]);
    }
    case 'form': {
      const form = h('form', { class: 'fcard-form', 'data-form-name': el.name, onsubmit: (e) => e.preventDefault() });
      form.append(...(el.elements || []).map((x) => renderElement(x, ctx, { form })));
      return form;
    }
    case 'note':
      return h(
        'div',
        { class: 'fcard-note' },
        (el.elements || []).map((x) =>
          x.tag === 'img'
            ? h('span', { html: icon('image', { label: '图片 Image' }) })
            : h('span', { html: x.tag === 'lark_md' ? markdown(x.content, ctx.nameOf) : escapeHtml(textOf(x)) }),
        ),
      );
    case 'img':
    case 'image':
      return h('div', { class: 'fcard-img', style: el.scale_type === 'crop_center' ? 'height:90px' : null }, [
        h('span', { html: icon('image') }),
        ` 图片 Image ${textOf(el.alt) ? `· ${textOf(el.alt)}` : ''}`,
      ]);
    case 'person':
      return h('span', { class: 'fcard-person' }, [
        h('span', { class: 'avatar', style: `background:${ctx.colorOf(el.user_id)}` }, [
          ctx.nameOf(el.user_id).slice(-2),
        ]),
        ctx.nameOf(el.user_id),
      ]);
    case 'collapsible_panel':
      return h('details', { open: el.expanded }, [
        h('summary', { text: textOf(el.header?.title) || '展开 More' }),
        ...(el.elements || []).map((x) => renderElement(x, ctx, scope)),
      ]);
    default:
      return h('div', { class: 'fcard-unsupported', text: `[暂不支持的组件 Unsupported component: ${el.tag}]` });
  }
}

/** card: the parsed content of an interactive message. ctx: { nameOf, colorOf, users, onAction, confirm }. */
export function renderCard(card, ctx) {
  const root = h('div', { class: 'fcard', 'data-testid': 'card' });
  if (card.type === 'template') {
    root.append(
      h('div', {
        class: 'fcard-template',
        text: `模板卡片 Template card ${card.data?.template_id ?? ''}（沙箱不渲染模板 not rendered in the sandbox）`,
      }),
    );
    return root;
  }
  if (card.header) {
    const tags = (card.header.text_tag_list || []).map((t) =>
      h('span', { class: `ttag-${t.color || 'neutral'}`, text: textOf(t.text) }),
    );
    root.append(
      h('div', { class: `fcard-header tpl-${card.header.template || 'default'}` }, [
        h('div', { class: 'fcard-title', 'data-testid': 'card-title' }, [
          textOf(card.header.title),
          tags.length ? h('span', { class: 'fcard-tags' }, tags) : null,
        ]),
        textOf(card.header.subtitle) ? h('div', { class: 'fcard-subtitle', text: textOf(card.header.subtitle) }) : null,
      ]),
    );
  }
  const elements = card.body?.elements ?? card.elements ?? card.i18n_elements?.zh_cn ?? [];
  root.append(
    h(
      'div',
      { class: 'fcard-body' },
      elements.map((el) => renderElement(el, ctx, { form: null })),
    ),
  );
  return root;
}
