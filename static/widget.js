// badges live presence: <xmpp-presence jid="..."> and <xmpp-room room="...">.
// Attributes: jid or room; sig (under signed visibility); label (the name
// shown, default the user's name, else the JID or room). Parts for styling
// from outside: avatar, dot, name, word, message, tune, mood, devices,
// when; the host carries data-status.
// One WebSocket per page, shared by every element, to the server this
// script came from. Reconnects with full-jitter backoff and resubscribes;
// while the socket is down, elements show the last state from the JSON API.
// Data only ever reaches the page through textContent.
// window.XMPPPresence.watch(kind, name, sig, fn) lets a page follow a JID
// ("jid") or room ("room") over the same socket; when(view, now) words its
// idle or last-seen time and onTick(fn) calls fn as the clock moves.
(() => {
  "use strict";
  if (window.XMPPPresence) return; // loaded twice on one page

  const script = document.currentScript;
  // The server's base URL: where this script was served from, /widget.js
  // or /static/widget.HASH.js, under the server's base path if it has one.
  const src = new URL(script ? script.src : location.href);
  const base = src.origin + (script ? src.pathname.replace(/\/(?:static\/)?[^/]*$/, "") : "");
  const wsURL = base.replace(/^http/, "ws") + "/ws";

  const WORDS = {
    available: "online", chat: "free to chat", away: "away", xa: "extended away",
    dnd: "do not disturb", offline: "offline", unknown: "unknown",
  };
  const BACKOFF_BASE = 500; // ms: first retry within half a second
  const BACKOFF_CAP = 30000; // ms: never wait longer than 30 s
  const FRAME_BUDGET = 3500; // bytes: the server closes frames over 4 KiB

  // The words of rich presence, as the server's cards word them
  // (docs/API.md#rich-presence). Relative times are worded here from the
  // times in the value, and worded again as the clock moves (tick), so
  // "3 hours ago" stays true without asking the server.
  const proto = (s) => String(s || "").replace(/_/g, " ").trim();
  const withText = (w, t) => (t && String(t).trim() ? w + ": " + String(t).trim() : w);
  function tuneText(t) {
    if (!t) return "";
    const a = (t.artist || "").trim(), ti = (t.title || "").trim();
    if (a && ti) return a + " – " + ti;
    return ti || a || (t.source || "").trim();
  }
  function moodText(m, a) {
    if (m && proto(m.value)) return withText(proto(m.value), m.text);
    if (!a || !proto(a.general)) return "";
    let v = proto(a.general);
    const sp = proto(a.specific);
    if (sp && sp !== "other") v += ", " + sp;
    return withText(v, a.text);
  }
  const devicesText = (d) => (Array.isArray(d) && d.length ? "on " + d.join(", ") : "");
  const MINUTE = 60e3, HOUR = 60 * MINUTE, DAY = 24 * HOUR;
  // units splits a duration of at least a minute into its largest whole
  // unit; a month is 30 days and a year 365, as on the server.
  function units(ms) {
    if (ms < HOUR) return [Math.floor(ms / MINUTE), "minute"];
    if (ms < DAY) return [Math.floor(ms / HOUR), "hour"];
    if (ms < 30 * DAY) return [Math.floor(ms / DAY), "day"];
    if (ms < 365 * DAY) return [Math.floor(ms / (30 * DAY)), "month"];
    return [Math.floor(ms / (365 * DAY)), "year"];
  }
  function longDuration(ms) {
    if (ms < MINUTE) return "less than a minute";
    const [n, unit] = units(ms);
    return n + " " + unit + (n === 1 ? "" : "s");
  }
  // when says "idle for 5 minutes" while online, "last seen 3 hours ago"
  // while offline, and nothing otherwise.
  function when(view, now) {
    if (view.online && view.idleSince && view.idleSince < now) return "idle for " + longDuration(now - view.idleSince);
    if (view.status === "offline" && view.lastSeen) {
      const d = now - view.lastSeen;
      return d < MINUTE ? "last seen just now" : "last seen " + longDuration(d) + " ago";
    }
    return "";
  }
  const time = (s) => { const t = Date.parse(s || ""); return Number.isNaN(t) ? 0 : t; };

  // describe turns a presence or room value into what a reader sees.
  function describe(kind, v) {
    if (kind === "room") {
      const n = Number(v.occupants) || 0;
      return { status: n > 0 ? "available" : "offline", word: n + " online", message: "", online: n > 0,
        name: "", avatar: "", tune: "", mood: "", devices: "", idleSince: 0, lastSeen: 0 };
    }
    const status = WORDS[v.status] ? v.status : "unknown";
    return {
      status, word: WORDS[status], message: v.message || "",
      online: status !== "offline" && status !== "unknown",
      name: typeof v.name === "string" ? v.name : "",
      // The avatar is a path on this server; nothing else is loaded.
      avatar: typeof v.avatar === "string" && v.avatar.startsWith("/avatar/") ? base + v.avatar : "",
      tune: tuneText(v.tune), mood: moodText(v.mood, v.activity), devices: devicesText(v.devices),
      idleSince: time(v.idle_since), lastSeen: time(v.last_seen),
    };
  }

  // Relative times are worded again every TICK ms by the functions given to
  // onTick; the timer runs only while one is registered.
  const TICK = 5e3;
  const tickers = new Set();
  let ticking = 0;
  function onTick(fn) {
    tickers.add(fn);
    if (!ticking) ticking = setInterval(() => { const now = Date.now(); for (const f of tickers) f(now); }, TICK);
    return () => {
      tickers.delete(fn);
      if (tickers.size === 0) { clearInterval(ticking); ticking = 0; }
    };
  }

  // A JID as the page can normalise it: bare and lower case. The server
  // normalises fully (PRECIS, IDNA, width folding), so a name that may
  // differ after that is looked up in the JSON API, whose answer carries
  // the server's name (learn): frames carry only that one.
  function normalise(name) {
    return String(name || "").trim().split("/")[0].toLowerCase();
  }
  const PLAIN = /^(?:[a-z0-9._+-]+@)?[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;
  const plain = (name) => PLAIN.test(name) && !name.includes("xn--");

  const topics = new Map(); // "kind name" -> {kind, name, sig, known, watchers: Set, last}
  const aliases = new Map(); // "kind name" -> the server's name, where the two differ
  let ws = null;
  let open = false;
  let attempt = 0;
  let retry = 0;

  function keyOf(kind, name) { return kind + " " + name; }

  // show hands a value to one watcher ({fn, t}).
  function show(w, value) { w.fn(describe(w.t.kind, value), value); }

  function deliver(kind, name, value) {
    const t = topics.get(keyOf(kind, name));
    if (!t) return;
    t.last = value;
    for (const w of t.watchers) show(w, value);
  }

  function send(op, list) {
    let frame = { op, jids: [], rooms: [], sigs: {} };
    const flush = () => {
      if (frame.jids.length + frame.rooms.length > 0) ws.send(JSON.stringify(frame));
      frame = { op, jids: [], rooms: [], sigs: {} };
    };
    for (const t of list) {
      if (JSON.stringify(frame).length + t.name.length * 2 + (t.sig || "").length + 16 > FRAME_BUDGET) flush();
      (t.kind === "room" ? frame.rooms : frame.jids).push(t.name);
      if (t.sig && op === "subscribe") frame.sigs[t.name] = t.sig;
    }
    flush();
  }

  function connect() {
    clearTimeout(retry);
    if (ws || topics.size === 0) return;
    const sock = new WebSocket(wsURL);
    ws = sock;
    sock.onopen = () => {
      open = true;
      send("subscribe", topics.values());
      // A lookup that failed while the server was away is tried again.
      for (const t of topics.values()) if (!t.known) fallback(t);
    };
    sock.onmessage = (ev) => {
      attempt = 0; // the server is back for real: start the backoff afresh
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.type === "presence" && msg.presence) deliver("jid", msg.presence.jid, msg.presence);
      else if (msg.type === "room" && msg.room) deliver("room", msg.room.room, msg.room);
      else if (msg.type === "error") console.warn("xmpp-presence:", msg.error);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      open = false;
      if (topics.size === 0) return;
      // Full jitter: anywhere between 0 and the capped exponential step.
      const step = Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt);
      attempt++;
      retry = setTimeout(connect, Math.random() * step);
      for (const t of topics.values()) fallback(t);
    };
  }

  // fallback reads a topic over HTTP: its last known state while the
  // socket is down, and the server's name for it.
  async function fallback(t) {
    const path = t.kind === "room" ? "/api/v1/rooms/" : "/api/v1/presence/";
    const url = base + path + encodeURIComponent(t.name) + (t.sig ? "?sig=" + encodeURIComponent(t.sig) : "");
    try {
      const res = await fetch(url, { mode: "cors", credentials: "omit" });
      if (!res.ok) return;
      const v = await res.json();
      const to = learn(t, t.kind === "room" ? v.room : v.jid);
      if (to && (!open || !to.last)) deliver(to.kind, to.name, v);
    } catch {
      // The server is unreachable: keep what is shown.
    }
  }

  // learn records name as the server's name for topic t and moves t's
  // watchers to the topic of that name. It returns the topic that holds
  // them, or null when t is no longer followed.
  function learn(t, name) {
    const key = keyOf(t.kind, t.name);
    if (topics.get(key) !== t) return null;
    if (!name || name === t.name) {
      t.known = true;
      return t;
    }
    aliases.set(key, name);
    topics.delete(key);
    const to = topic(t.kind, name, t.sig);
    to.known = true;
    for (const w of t.watchers) {
      w.t = to;
      to.watchers.add(w);
      if (to.last) show(w, to.last);
    }
    // Both names are one topic on the server: dropping t's name and
    // following the server's again brings the current value first.
    if (open) { send("unsubscribe", [t]); send("subscribe", [to]); }
    return to;
  }

  // topic returns the topic of name, made if new.
  function topic(kind, name, sig) {
    let t = topics.get(keyOf(kind, name));
    if (!t) {
      t = { kind, name, sig: sig || "", known: plain(name), watchers: new Set(), last: null };
      topics.set(keyOf(kind, name), t);
    }
    return t;
  }

  // watch follows one JID ("jid") or room ("room"); fn(view, value) runs
  // with every new value. It returns the function that stops following.
  function watch(kind, rawName, sig, fn) {
    const raw = normalise(rawName);
    if (!raw) return () => {};
    const name = aliases.get(keyOf(kind, raw)) || raw;
    const fresh = !topics.has(keyOf(kind, name));
    const t = topic(kind, name, sig);
    const w = { fn, t };
    t.watchers.add(w);
    if (t.last) show(w, t.last);
    if (fresh || (sig && sig !== t.sig)) {
      t.sig = sig || t.sig;
      const idle = !ws;
      if (open) send("subscribe", [t]);
      else if (idle) connect();
      // Until the socket opens, the JSON API tells the state; for a name
      // that may not be the server's, it tells the server's name.
      if (idle || !t.known) fallback(t);
    }
    return () => {
      const t = w.t; // learn may have moved w
      t.watchers.delete(w);
      if (t.watchers.size > 0 || topics.get(keyOf(t.kind, t.name)) !== t) return;
      topics.delete(keyOf(t.kind, t.name));
      if (open) send("unsubscribe", [t]);
    };
  }

  const CSS = `
    :host { display: inline-flex; align-items: center; gap: .4em; font: inherit; color: inherit; }
    .avatar { width: 1.6em; height: 1.6em; border-radius: 50%; flex: none; object-fit: cover; }
    .avatar:not([src]) { display: none; }
    .dot { width: .7em; height: .7em; border-radius: 50%; background: #9f9f9f; flex: none; }
    :host([data-status="available"]) .dot, :host([data-status="chat"]) .dot { background: #4c1; }
    :host([data-status="away"]) .dot { background: #dfb317; }
    :host([data-status="xa"]) .dot { background: #fe7d37; }
    :host([data-status="dnd"]) .dot { background: #e05d44; }
    .name { font-weight: 600; }
    .message:empty, .tune:empty, .mood:empty, .devices:empty, .when:empty { display: none; }
    .message, .mood, .devices, .when { opacity: .8; }
    .tune::before { content: "♪ "; }
  `;
  let sheet = null;
  function style(root) {
    // A constructed sheet is not subject to the host page's style-src.
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } else {
      const el = document.createElement("style");
      el.textContent = CSS;
      root.append(el);
    }
  }

  function part(root, cls) {
    const el = document.createElement("span");
    el.className = cls;
    el.setAttribute("part", cls);
    root.append(el);
    return el;
  }

  function define(tag, kind, attr) {
    class Element extends HTMLElement {
      static get observedAttributes() { return [attr, "sig", "label"]; }
      constructor() {
        super();
        const root = this.attachShadow({ mode: "open" });
        style(root);
        this._avatar = document.createElement("img");
        this._avatar.className = "avatar";
        this._avatar.setAttribute("part", "avatar");
        this._avatar.alt = "";
        root.append(this._avatar);
        this._dot = part(root, "dot");
        this._dot.setAttribute("aria-hidden", "true");
        this._name = part(root, "name");
        this._word = part(root, "word");
        this._message = part(root, "message");
        this._tune = part(root, "tune");
        this._mood = part(root, "mood");
        this._devices = part(root, "devices");
        this._when = part(root, "when");
        this._stop = null;
        this._untick = null;
        this._view = null;
      }
      connectedCallback() { this._follow(); }
      disconnectedCallback() {
        if (this._stop) this._stop();
        if (this._untick) this._untick();
        this._stop = this._untick = null;
      }
      attributeChangedCallback() { if (this.isConnected) this._follow(); }
      _follow() {
        if (this._stop) this._stop();
        if (!this._untick) this._untick = onTick((now) => this._tick(now));
        const name = this.getAttribute(attr) || "";
        this._label = this.getAttribute("label");
        this._jid = name;
        this._render(describe("jid", { status: "unknown" }));
        this._stop = watch(kind, name, this.getAttribute("sig") || "", (view) => this._render(view));
      }
      _tick(now) {
        if (this._view) this._when.textContent = when(this._view, now);
      }
      _render(view) {
        this._view = view;
        this.dataset.status = view.status;
        this._name.textContent = this._label !== null ? this._label : (view.name || this._jid);
        if (view.avatar) {
          if (this._avatar.getAttribute("src") !== view.avatar) this._avatar.src = view.avatar;
        } else this._avatar.removeAttribute("src");
        this._word.textContent = view.word;
        this._message.textContent = view.message;
        this._tune.textContent = view.tune;
        this._mood.textContent = view.mood;
        this._devices.textContent = view.devices;
        this._tick(Date.now());
        this.setAttribute("role", "status");
        this.setAttribute("aria-label", [this._name.textContent + ": " + view.word +
          (view.message ? ", " + view.message : ""), view.tune && "listening to " + view.tune,
          view.mood, view.devices, this._when.textContent].filter(Boolean).join("; "));
      }
    }
    if (!customElements.get(tag)) customElements.define(tag, Element);
  }

  window.XMPPPresence = Object.freeze({ watch, describe, when, onTick });
  define("xmpp-presence", "jid", "jid");
  define("xmpp-room", "room", "room");
})();
