/* global document, fetch, EventSource, FileReader, setTimeout, clearTimeout */
// The demo page: renders the state the server pushes over Server-Sent Events, and posts what people do.
// All text goes through textContent (never innerHTML): messages are written by whoever types them.
'use strict';

const $ = (selector) => document.querySelector(selector);

/** Creates an element; `text` becomes textContent, `on*` become listeners, strings in children become text nodes. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const quick = {
  phone: ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'],
  phoneEmoji: { love: '❤️', like: '👍', dislike: '👎', laugh: '😂', emphasize: '‼️', question: '❓' },
  slack: [
    ['heart', '❤️'],
    ['+1', '👍'],
    ['joy', '😂'],
    ['bangbang', '‼️'],
    ['question', '❓'],
    ['tada', '🎉'],
  ],
  discord: ['❤️', '👍', '😂', '‼️', '❓', '🎉'],
};

let view;
let customer;

// ---- talking to the server ----

async function api(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Error(answer.error || `HTTP ${response.status}`);
  }
}

function toast(message) {
  const el = $('#toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 5000);
}

function act(path, body) {
  api(path, body).catch((error) => toast(error.message));
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result);
      resolve({
        name: file.name,
        type: file.type || 'application/octet-stream',
        data: data.slice(data.indexOf(',') + 1),
      });
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** Wires a composer: text box, optional file, submit → `send(text, file)`; clears itself after a send. */
function composer(form, send) {
  const fileInput = form.querySelector('input[type=file]');
  const chip = form.querySelector('.file-chip');
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    chip.hidden = !file;
    chip.textContent = file ? `📎 ${file.name}` : '';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = form.elements.text.value;
    const file = fileInput.files[0];
    if (!text.trim() && !file) return;
    try {
      await send(text, file ? await readFile(file) : undefined);
      form.reset();
      chip.hidden = true;
    } catch (error) {
      toast(error.message);
    }
  });
}

function newComposer(placeholder, send) {
  const form = h(
    'form',
    { class: 'composer', autocomplete: 'off' },
    h(
      'label',
      { class: 'attach', title: 'Attach a file' },
      '+',
      h('input', { type: 'file', name: 'file', hidden: true }),
    ),
    h('span', { class: 'file-chip', hidden: true }),
    h('input', { name: 'text', placeholder, 'aria-label': placeholder }),
    h('button', { type: 'submit', class: 'send', text: 'Send' }),
  );
  composer(form, send);
  return form;
}

// ---- pieces shared by the panes ----

function time(at) {
  return new Date(at).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

function size(bytes) {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1048576
      ? `${(bytes / 1024).toFixed(0)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;
}

function files(list) {
  return list.map((file) =>
    file.type.startsWith('image/')
      ? h(
          'a',
          { href: file.url, target: '_blank', rel: 'noopener' },
          h('img', { class: 'image', src: file.url, alt: file.name }),
        )
      : h(
          'a',
          { class: 'file', href: file.url, target: '_blank', rel: 'noopener' },
          `📄 ${file.name}`,
          h('small', { text: size(file.size) }),
        ),
  );
}

/**
 * The markup the page renders, as the clients do: Slack *bold* and _italic_; Discord **bold**, *italic*, _italic_,
 * where a backslash makes a marker literal (the bridge escapes customers' text that way).
 * `split` has one capture group, so the marked-up spans land at the odd indexes of `text.split(split)`.
 */
const markup = {
  slack: {
    split: /((?<!\w)\*[^*\n]+\*(?!\w)|(?<!\w)_[^_\n]+_(?!\w))/,
    tags: { '*': 'strong', _: 'em' },
    plain: (text) => text,
  },
  discord: {
    split:
      /((?<!\\)\*\*(?:[^*\n]|\\\*)+?(?<!\\)\*\*|(?<![\w\\])\*(?:[^*\n]|\\\*)+?(?<!\\)\*(?!\w)|(?<![\w\\])_[^_\n]+(?<!\\)_(?!\w))/,
    tags: { '**': 'strong', '*': 'em', _: 'em' },
    plain: (text) => text.replace(/\\([\\*_~`|>#\-[\]()<@:.!])/g, '$1'),
  },
};

function rich(text, { split, tags, plain }) {
  const el = h('div', { class: 'text' });
  text.split(split).forEach((part, index) => {
    if (index % 2 === 0) return el.append(plain(part));
    const mark = part.startsWith('**') && tags['**'] ? '**' : part[0];
    el.append(h(tags[mark], { text: plain(part.slice(mark.length, -mark.length)) }));
  });
  return el;
}

/** Keeps a scroller pinned to the bottom when it was there before an update. */
function pinned(scroller, update) {
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  update();
  if (atBottom) scroller.scrollTop = scroller.scrollHeight;
}

function fillSelect(select, options) {
  if (select.options.length) return;
  for (const { value, label } of options) select.append(h('option', { value, text: label }));
}

// ---- the phone ----

function renderPhone(phone) {
  fillSelect(
    $('#customer'),
    phone.customers.map((handle) => ({ value: handle, label: handle })),
  );
  customer = $('#customer').value;
  $('#phone-line').textContent = phone.line;
  const messages = phone.chats[customer] || [];
  const lastDelivered = messages.filter((m) => !m.fromCustomer && m.status === 'delivered').pop();
  const list = $('#phone-messages');
  pinned(list, () =>
    list.replaceChildren(
      ...(messages.length ? [] : [h('li', { class: 'empty', text: 'Say hello to the support line ↓' })]),
      ...messages.map((message) => phoneBubble(message, message === lastDelivered)),
    ),
  );
}

function phoneBubble(message, showDelivered) {
  const mine = message.fromCustomer;
  const status =
    message.status === 'sending'
      ? 'Sending…'
      : message.status === 'failed'
        ? `Not delivered${message.error ? `: ${message.error}` : ''}`
        : showDelivered
          ? 'Delivered'
          : '';
  const canTap = !mine && message.status === 'delivered';
  return h(
    'li',
    { class: `bubble-row ${mine ? 'mine' : 'theirs'} ${message.status || ''}`, 'data-id': message.id },
    h(
      'div',
      { class: 'bubble' },
      message.reactions.length > 0 &&
        h(
          'span',
          { class: 'tapbacks', title: message.reactions.map((r) => `${r.by.join(', ')}: ${r.key}`).join('\n') },
          message.reactions.map((r) => r.emoji).join(''),
        ),
      files(message.files),
      message.text && h('div', { class: 'text', text: message.text }),
    ),
    canTap &&
      h(
        'div',
        { class: 'tapback-bar', role: 'group', 'aria-label': 'Tapback' },
        quick.phone.map((type) =>
          h('button', {
            type: 'button',
            title: type,
            text: quick.phoneEmoji[type],
            onclick: () => act('/api/phone/react', { from: customer, messageId: message.id, type }),
          }),
        ),
      ),
    status && h('div', { class: 'status', text: status }),
  );
}

// ---- Slack and Discord ----

/** A customer shows as a phone, anyone else by their first letter. */
function initial(author) {
  return /^\+?\d/.test(author) ? '📱' : author.replace(/^\W+/, '').slice(0, 1).toUpperCase() || '?';
}

/** Thread cards are kept between updates, so a half-typed reply survives new messages. */
const cards = { slack: new Map(), discord: new Map() };

function renderTeam(platform, team) {
  fillSelect(
    $(`#${platform}-user`),
    team.members.map((member) => ({ value: member.id, label: member.name })),
  );
  $(`#${platform}-channel`).textContent = team.channel;
  const container = $(`#${platform}-threads`);
  if (!team.threads.length) {
    const hint = team.available ? 'No conversations yet: text the line from the phone.' : 'Not running.';
    container.replaceChildren(h('p', { class: 'empty', text: hint }));
    cards[platform].clear();
    return;
  }
  container.querySelector(':scope > .empty')?.remove();
  pinned(container, () => {
    for (const thread of team.threads) {
      let card = cards[platform].get(thread.id);
      if (!card) {
        card = newThreadCard(platform, thread, team);
        cards[platform].set(thread.id, card);
        container.append(card.root);
      }
      updateThreadCard(platform, card, thread, team);
    }
  });
}

function newThreadCard(platform, thread) {
  const head = h('div', { class: 'thread-head' });
  const list = h('div', { class: 'replies' });
  const notices = h('div', { class: 'notices' });
  const send =
    platform === 'slack'
      ? (text, file) => api('/api/slack/post', { user: $('#slack-user').value, threadTs: thread.id, text, file })
      : (content, file) =>
          api('/api/discord/post', { userId: $('#discord-user').value, channelId: thread.id, content, file });
  const form = newComposer(platform === 'slack' ? 'Reply in thread…' : `Message ${thread.title}`, send);
  const root = h('article', { class: 'thread', 'data-thread': thread.id }, head, list, notices, form);
  return { root, head, list, notices };
}

function updateThreadCard(platform, card, thread, team) {
  const show = (message) => teamMessage(platform, thread, message, team);
  const count = thread.messages.length;
  const noun = platform === 'slack' ? ['reply', 'replies'] : ['message', 'messages'];
  card.head.replaceChildren(
    ...[
      platform === 'discord' && h('div', { class: 'thread-title', text: thread.title }),
      thread.root && show(thread.root),
      h('div', { class: 'reply-count', text: `${count} ${noun[count === 1 ? 0 : 1]}` }),
    ].filter(Boolean),
  );
  card.list.replaceChildren(...thread.messages.map(show));
  card.notices.replaceChildren(
    ...thread.notices.map((notice) =>
      h(
        'div',
        { class: 'notice' },
        h('small', { text: `Only visible to ${notice.to}` }),
        h('div', { text: notice.text }),
      ),
    ),
  );
}

function teamMessage(platform, thread, message, team) {
  const me = team.members.find((member) => member.id === $(`#${platform}-user`).value)?.name;
  const react = (key) =>
    platform === 'slack'
      ? act('/api/slack/react', { user: $('#slack-user').value, ts: message.id, name: key })
      : act('/api/discord/react', {
          userId: $('#discord-user').value,
          channelId: thread.id,
          messageId: message.id,
          emoji: key,
        });
  const choices = platform === 'slack' ? quick.slack : quick.discord.map((emoji) => [emoji, emoji]);
  return h(
    'div',
    { class: `msg ${message.kind}`, 'data-id': message.id },
    h('div', { class: `avatar ${message.kind}`, text: initial(message.author) }),
    h(
      'div',
      { class: 'msg-body' },
      h(
        'div',
        { class: 'msg-head' },
        h('strong', { text: message.author }),
        message.kind === 'app' && h('span', { class: 'badge', text: 'APP' }),
        h('time', { text: time(message.at) }),
      ),
      message.text && rich(message.text, markup[platform]),
      files(message.files),
      message.reactions.length > 0 &&
        h(
          'div',
          { class: 'reactions' },
          message.reactions.map((r) =>
            h(
              'button',
              {
                type: 'button',
                class: `pill${me && r.by.includes(me) ? ' mine' : ''}`,
                title: r.by.join(', '),
                onclick: () => react(r.key),
              },
              `${r.emoji} ${r.count}`,
            ),
          ),
        ),
    ),
    // The hover toolbar both clients have, over the message's top right corner.
    h(
      'span',
      { class: 'quick', role: 'group', 'aria-label': 'Add a reaction' },
      choices.map(([key, emoji]) =>
        h('button', { type: 'button', title: `React ${emoji}`, text: emoji, onclick: () => react(key) }),
      ),
    ),
  );
}

// ---- wiring ----

function render() {
  if (!view) return;
  renderPhone(view.phone);
  renderTeam('slack', view.slack);
  renderTeam('discord', view.discord);
  const note = $('#discord-note');
  note.hidden = view.discord.available;
  note.textContent = view.discord.available
    ? ''
    : `The Discord bridge is not running in this build: ${view.discord.note}`;
}

function connect() {
  const conn = $('#conn');
  const events = new EventSource('/api/events');
  events.addEventListener('state', (event) => {
    view = JSON.parse(event.data);
    render();
  });
  events.onopen = () => {
    conn.textContent = 'live';
    conn.className = 'conn live';
  };
  events.onerror = () => {
    conn.textContent = 'reconnecting…';
    conn.className = 'conn';
  };
}

composer($('#phone-form'), (text, file) => api('/api/phone/send', { from: customer, text, file }));
$('#customer').addEventListener('change', render);
$('#slack-user').addEventListener('change', render);
$('#discord-user').addEventListener('change', render);
connect();
