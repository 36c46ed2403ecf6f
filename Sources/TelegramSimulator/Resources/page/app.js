// The simulator's chat page: plain JavaScript over the control API (docs/simulator.md).
// Everything shown comes from the server as data and is put on the page with textContent and
// createElement only, never as HTML, so nothing a bot or a person writes can run here.
"use strict";

const page = {
  state: null,        // GET /control/state
  transcript: null,   // GET /control/chats/{id}
  chatID: null,
  senderID: null,
  replyTo: null,
  version: 0,
  pendingQueries: new Map(),  // callback query id -> button element
  seenAnswers: new Set(),
  autoReplySeen: new Set(),
};

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch("/control/" + path, options);
  const reply = await response.json();
  if (!reply.ok) throw new Error(reply.error || ("HTTP " + response.status));
  return reply.result;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function toast(text, alert) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "alert" : "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

function fail(error) {
  toast("⚠ " + (error && error.message ? error.message : String(error)), true);
}

// MARK: Formatting

const SAFE_LINK = /^(https?:|tg:|mailto:)/i;

// Builds the DOM for text and its entities (offsets in UTF-16 code units, as JavaScript strings are).
function renderFormatted(text, entities) {
  const container = document.createDocumentFragment();
  const sorted = (entities || [])
    .filter((e) => e.length > 0 && e.offset >= 0 && e.offset + e.length <= text.length)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(container, text, sorted, 0, text.length);
  return container;
}

function build(parent, text, entities, start, end) {
  let cursor = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    if (entity.offset >= end) break;
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entity.offset < cursor) { index += 1; continue; }  // overlaps a sibling: drop it
    if (entity.offset > cursor) parent.appendChild(document.createTextNode(text.slice(cursor, entity.offset)));
    const node = entityElement(entity);
    // Children: the following entities that start inside this one.
    const children = [];
    let next = index + 1;
    while (next < entities.length && entities[next].offset < entityEnd) { children.push(entities[next]); next += 1; }
    build(node, text, children, entity.offset, entityEnd);
    parent.appendChild(node);
    cursor = entityEnd;
    index = next;
  }
  if (cursor < end) parent.appendChild(document.createTextNode(text.slice(cursor, end)));
}

function entityElement(entity) {
  switch (entity.type) {
    case "bold": return element("strong");
    case "italic": return element("em");
    case "underline": return element("u");
    case "strikethrough": return element("s");
    case "code": return element("code");
    case "pre": {
      const pre = element("pre");
      if (entity.language) pre.dataset.language = entity.language;
      return pre;
    }
    case "blockquote":
    case "expandable_blockquote": return element("blockquote");
    case "spoiler": {
      const span = element("span", "spoiler");
      span.addEventListener("click", () => span.classList.add("revealed"));
      return span;
    }
    case "text_link": {
      if (!SAFE_LINK.test(entity.url || "")) return element("span", "link");
      const link = element("a");
      link.href = entity.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    case "text_mention": {
      const span = element("span", "mention");
      if (entity.user_id) span.title = "user " + entity.user_id;
      return span;
    }
    case "bot_command": return element("span", "command");
    case "mention": return element("span", "mention");
    default: return element("span");
  }
}

// MARK: Rendering

function userName(user) {
  if (!user) return "?";
  return user.first_name + (user.username ? " (@" + user.username + ")" : "");
}

function renderChatList() {
  const list = $("chat-list");
  list.replaceChildren();
  for (const chat of page.state.chats) {
    const item = element("li");
    const button = element("button");
    button.type = "button";
    button.dataset.chatId = chat.id;
    if (chat.id === page.chatID) button.classList.add("selected");
    button.appendChild(element("span", "title", chat.title));
    const meta = chat.type + " · " + chat.message_count + " messages" + (chat.migrated_to_chat_id ? " · upgraded" : "");
    button.appendChild(element("span", "muted", meta));
    button.addEventListener("click", () => selectChat(chat.id));
    item.appendChild(button);
    list.appendChild(item);
  }
  const members = $("new-group-members");
  const checked = new Set([...members.querySelectorAll("input:checked")].map((box) => box.value));
  members.querySelectorAll("label").forEach((label) => label.remove());
  for (const user of page.state.users) {
    const label = element("label");
    const box = element("input");
    box.type = "checkbox";
    box.name = "members";
    box.value = String(user.id);
    box.checked = checked.has(String(user.id));
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + userName(user)));
    members.appendChild(label);
  }
}

function presentMembers(chat) {
  if (chat.type === "private") {
    const user = page.state.users.find((u) => u.id === chat.id);
    return user ? [user] : [];
  }
  return chat.members.filter((m) => m.status === "creator" || m.status === "administrator" || m.status === "member");
}

function renderChat() {
  const chat = page.transcript;
  const hasChat = !!chat;
  $("composer").hidden = !hasChat;
  $("chat-actions").hidden = !hasChat || chat.type === "private";
  if (!hasChat) {
    $("chat-title").textContent = "Pick a chat";
    $("chat-meta").textContent = "";
    $("messages").replaceChildren();
    $("pinned").hidden = true;
    return;
  }
  $("chat-title").textContent = chat.title;
  let meta = chat.type + " " + chat.id + " · bot: " + chat.bot.status;
  if (chat.bot.status === "administrator") meta += chat.bot.can_pin_messages ? " (can pin)" : " (cannot pin)";
  if (chat.migrated_to_chat_id) meta += " · upgraded to " + chat.migrated_to_chat_id;
  $("chat-meta").textContent = meta;

  // Who can write: the chat's present members.
  const members = presentMembers(chat);
  const sender = $("sender");
  sender.replaceChildren();
  for (const member of members) {
    const option = element("option", null, userName(member));
    option.value = String(member.id);
    sender.appendChild(option);
  }
  if (!members.some((m) => m.id === page.senderID) && members.length > 0) page.senderID = members[0].id;
  if (page.senderID !== null) sender.value = String(page.senderID);

  const addMember = $("add-member");
  addMember.replaceChildren(element("option", null, "choose…"));
  addMember.firstChild.value = "";
  for (const user of page.state.users) {
    if (members.some((m) => m.id === user.id)) continue;
    const option = element("option", null, userName(user));
    option.value = String(user.id);
    addMember.appendChild(option);
  }

  const byID = new Map(chat.messages.map((m) => [m.message_id, m]));
  const pinned = chat.pinned_message_id ? byID.get(chat.pinned_message_id) : null;
  $("pinned").hidden = !pinned;
  if (pinned) {
    $("pinned-text").textContent = pinned.text;
    $("pinned-text").dataset.messageId = pinned.message_id;
  }

  const list = $("messages");
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.replaceChildren(...chat.messages.map((message) => renderMessage(message, byID)));
  if (atBottom) list.scrollTop = list.scrollHeight;

  // A bot message asking for a reply opens the reply, as Telegram's clients do.
  const last = chat.messages[chat.messages.length - 1];
  if (last && last.force_reply && !last.deleted && !page.autoReplySeen.has(chat.id + ":" + last.message_id)) {
    page.autoReplySeen.add(chat.id + ":" + last.message_id);
    setReply(last);
  }
  renderReplyBar();
  showNewAnswers(chat);
}

function renderMessage(message, byID) {
  const item = element("li", "message");
  item.dataset.messageId = message.message_id;
  if (message.service) {
    item.classList.add("service");
    item.appendChild(element("span", "text", message.text));
    return item;
  }
  if (message.from.is_bot) item.classList.add("from-bot");
  if (message.from.id === page.senderID) item.classList.add("mine");
  if (message.deleted) item.classList.add("deleted");
  item.appendChild(element("div", "sender", userName(message.from)));

  if (message.reply_to_message_id) {
    const replied = byID.get(message.reply_to_message_id);
    const quote = element("div", "quote");
    quote.appendChild(element("strong", null, replied ? userName(replied.from) : "Message " + message.reply_to_message_id));
    quote.appendChild(element("div", null, replied ? (replied.deleted ? "Deleted message" : replied.text) : ""));
    quote.addEventListener("click", () => highlight(message.reply_to_message_id));
    item.appendChild(quote);
  }

  const text = element("div", "text");
  if (message.deleted) {
    text.textContent = "Deleted: " + message.text;
  } else {
    text.appendChild(renderFormatted(message.text, message.entities));
  }
  item.appendChild(text);

  if (!message.deleted && message.buttons && message.buttons.length > 0) {
    const keyboard = element("div", "keyboard");
    for (const row of message.buttons) {
      const rowNode = element("div", "row");
      for (const button of row) rowNode.appendChild(renderButton(message, button));
      keyboard.appendChild(rowNode);
    }
    item.appendChild(keyboard);
  }
  if (message.force_reply) {
    item.appendChild(element("div", "force-reply", "asks for a reply" +
      (message.force_reply.input_field_placeholder ? ": " + message.force_reply.input_field_placeholder : "")));
  }
  const answers = (message.callback_queries || []).filter((q) => q.answer && q.answer.text);
  if (answers.length > 0) {
    const last = answers[answers.length - 1];
    item.appendChild(element("div", "answers", "Bot answered " + last.from.first_name + ": " + last.answer.text));
  }

  const meta = element("div", "meta");
  if (message.pinned) meta.appendChild(element("span", "pinned-mark", "📌 pinned"));
  if (message.edit_date) meta.appendChild(element("span", "edited", "edited"));
  meta.appendChild(element("span", null, new Date(message.date * 1000).toLocaleTimeString()));
  if (!message.deleted) {
    const reply = element("button", "reply", "Reply");
    reply.type = "button";
    reply.addEventListener("click", () => { setReply(message); $("text").focus(); });
    meta.appendChild(reply);
  }
  item.appendChild(meta);
  return item;
}

function renderButton(message, button) {
  if (button.url) {
    const link = element("a", "inline-button", button.text + " ↗");
    if (SAFE_LINK.test(button.url)) {
      link.href = button.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    return link;
  }
  const node = element("button", "inline-button", button.text);
  node.type = "button";
  node.dataset.buttonText = button.text;
  if (button.callback_data === undefined) {
    node.disabled = true;
    return node;
  }
  node.addEventListener("click", () => press(message.message_id, button.text, node));
  return node;
}

function highlight(messageID) {
  const node = document.querySelector('.message[data-message-id="' + Number(messageID) + '"]');
  if (!node) return;
  node.scrollIntoView({ block: "center" });
  node.classList.add("highlight");
  setTimeout(() => node.classList.remove("highlight"), 1500);
}

function setReply(message) {
  page.replyTo = message ? { id: message.message_id, text: message.text } : null;
  renderReplyBar();
}

function renderReplyBar() {
  $("reply-bar").hidden = !page.replyTo;
  $("reply-text").textContent = page.replyTo ? page.replyTo.text.slice(0, 80) : "";
}

function showNewAnswers(chat) {
  for (const message of chat.messages) {
    for (const query of message.callback_queries || []) {
      if (!query.answer || page.seenAnswers.has(query.id)) continue;
      page.seenAnswers.add(query.id);
      const button = page.pendingQueries.get(query.id);
      if (button) {
        button.classList.remove("pending");
        page.pendingQueries.delete(query.id);
        if (query.answer.text) toast(query.answer.text, query.answer.show_alert);
      }
    }
  }
}

// MARK: Actions

async function press(messageID, buttonText, node) {
  if (page.senderID === null) { fail("Pick who presses the button"); return; }
  try {
    node.classList.add("pending");
    const query = await api("POST", "chats/" + page.chatID + "/messages/" + messageID + "/press",
      { from: page.senderID, button_text: buttonText });
    page.pendingQueries.set(query.id, node);
  } catch (error) {
    node.classList.remove("pending");
    fail(error);
  }
}

async function send(event) {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  if (!text.trim() || page.chatID === null || page.senderID === null) return;
  const body = { from: page.senderID, text };
  if (page.replyTo) body.reply_to_message_id = page.replyTo.id;
  try {
    if (page.transcript && page.transcript.type === "private") {
      await api("POST", "users/" + page.senderID + "/private", { text });
    } else {
      await api("POST", "chats/" + page.chatID + "/messages", body);
    }
    input.value = "";
    setReply(null);
  } catch (error) {
    fail(error);
  }
}

function selectChat(chatID) {
  page.chatID = chatID;
  page.replyTo = null;
  const url = new URL(window.location.href);
  url.searchParams.set("chat", String(chatID));
  if (page.senderID !== null) url.searchParams.set("as", String(page.senderID));
  window.history.replaceState(null, "", url);
  refresh().catch(fail);
}

async function setBotStatus(choice) {
  const body = choice === "administrator-no-pin"
    ? { status: "administrator", can_pin_messages: false }
    : { status: choice, can_pin_messages: true };
  try { await api("POST", "chats/" + page.chatID + "/bot", body); } catch (error) { fail(error); }
}

async function migrate() {
  try {
    const supergroup = await api("POST", "chats/" + page.chatID + "/migrate", {});
    selectChat(supergroup.id);
  } catch (error) {
    fail(error);
  }
}

// MARK: Live updates (long polling /control/wait)

async function refresh() {
  page.state = await api("GET", "state");
  $("bot-name").textContent = "@" + (page.state.bot.username || "") + " · " + page.state.bot.first_name;
  if (page.chatID === null && page.state.chats.length > 0) page.chatID = page.state.chats[0].id;
  page.transcript = page.chatID === null ? null : await api("GET", "chats/" + page.chatID).catch(() => null);
  page.version = page.transcript ? page.transcript.version : page.state.version;
  renderChatList();
  renderChat();
}

async function live() {
  for (;;) {
    try {
      const changed = await api("GET", "wait?version=" + page.version + "&timeout=25");
      if (changed.version !== page.version) await refresh();
      $("connection").textContent = "live";
    } catch (error) {
      $("connection").textContent = "reconnecting…";
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function start() {
  const params = new URLSearchParams(window.location.search);
  if (params.get("chat")) page.chatID = Number(params.get("chat"));
  if (params.get("as")) page.senderID = Number(params.get("as"));

  $("composer").addEventListener("submit", send);
  $("reply-cancel").addEventListener("click", () => setReply(null));
  $("sender").addEventListener("change", (event) => {
    page.senderID = Number(event.target.value);
    renderChat();
  });
  $("pinned-text").addEventListener("click", (event) => {
    event.preventDefault();
    highlight(event.target.dataset.messageId);
  });
  for (const button of document.querySelectorAll("[data-bot-status]")) {
    button.addEventListener("click", () => setBotStatus(button.dataset.botStatus));
  }
  $("migrate").addEventListener("click", migrate);
  $("add-member").addEventListener("change", async (event) => {
    if (!event.target.value) return;
    try { await api("POST", "chats/" + page.chatID + "/members", { user_id: Number(event.target.value) }); } catch (error) { fail(error); }
  });
  $("new-user").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { first_name: form.first_name.value };
    if (form.username.value) body.username = form.username.value;
    try { await api("POST", "users", body); form.reset(); } catch (error) { fail(error); }
  });
  $("new-group").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const members = [...form.querySelectorAll("input[name=members]:checked")].map((box) => Number(box.value));
    const bot = form.bot.value === "administrator"
      ? { status: "administrator", can_pin_messages: true }
      : { status: form.bot.value };
    try {
      const chat = await api("POST", "chats", { title: form.title.value, type: form.type.value, members, bot });
      form.reset();
      selectChat(chat.id);
    } catch (error) {
      fail(error);
    }
  });

  refresh().catch(fail).finally(live);
}

start();
