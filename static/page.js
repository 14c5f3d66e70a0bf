// Keeps the cards of an embed or dashboard page live through the shared
// socket of widget.js, words their relative times again as the clock moves,
// keeps a group's count, and reads changes out through the polite live
// region.
(() => {
  "use strict";
  const P = window.XMPPPresence;
  const live = document.getElementById("announce");
  const part = (card, cls) => card.querySelector("." + cls);
  const cards = [...document.querySelectorAll("[data-kind][data-name]")];
  const views = new Map(); // card -> its last view

  // A group's dashboard counts its cards online, as the group badge does.
  const groupOnline = document.getElementById("group-online");
  function count() {
    if (!groupOnline) return;
    let n = 0;
    for (const card of cards) if (!/status-(offline|unknown)\b/.test(card.className)) n++;
    groupOnline.textContent = String(n);
  }

  function set(card, cls, text) {
    const el = part(card, cls);
    if (el && el.textContent !== text) el.textContent = text;
  }

  // The first view comes from what the server wrote into the page.
  function initial(card) {
    const t = (s) => { const v = Date.parse(s || ""); return Number.isNaN(v) ? 0 : v; };
    const status = (card.className.match(/status-(\w+)/) || [])[1] || "unknown";
    const text = (cls) => (part(card, cls) || {}).textContent || "";
    return { status, online: status !== "offline" && status !== "unknown",
      word: text("word"), message: text("message"), tune: text("tune"),
      idleSince: t(card.dataset.idleSince), lastSeen: t(card.dataset.lastSeen) };
  }

  for (const card of cards) {
    views.set(card, initial(card));
    const name = card.dataset.name;
    const display = card.dataset.display || name; // the JID as a person should read it
    P.watch(card.dataset.kind, name, card.dataset.sig || "", (view) => {
      const prev = views.get(card);
      views.set(card, view);
      card.className = "card status-" + view.status;
      if (card.dataset.kind === "jid") {
        set(card, "name", view.name || display);
        set(card, "jid", view.name ? display : "");
        const img = part(card, "avatar");
        const src = view.avatar || card.dataset.placeholder;
        if (img && src && img.getAttribute("src") !== src) img.src = src;
      }
      set(card, "word", view.word);
      set(card, "message", view.message);
      set(card, "tune", view.tune || "");
      set(card, "mood", view.mood || "");
      set(card, "devices", view.devices || "");
      set(card, "when", P.when(view, Date.now()));
      count();
      if (live && prev && (prev.word !== view.word || prev.message !== view.message || prev.tune !== view.tune)) {
        live.textContent = (view.name || display) + ": " + view.word + (view.message ? ", " + view.message : "") +
          (view.tune ? ", listening to " + view.tune : "");
      }
    });
  }
  // Relative times change with the clock, not with the presence.
  if (cards.length) P.onTick((now) => { for (const card of cards) set(card, "when", P.when(views.get(card), now)); });
  count();
})();
