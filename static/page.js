// Keeps the cards of an embed or dashboard page live through the shared
// socket of widget.js, and reads changes out through the polite live region.
(() => {
  "use strict";
  const live = document.getElementById("announce");
  const text = (card, cls) => card.querySelector("." + cls);

  for (const card of document.querySelectorAll("[data-kind][data-name]")) {
    const name = card.dataset.name;
    window.XMPPPresence.watch(card.dataset.kind, name, card.dataset.sig || "", (view) => {
      const word = text(card, "word");
      const message = text(card, "message");
      if (word.textContent === view.word && message.textContent === view.message) return;
      card.className = "card status-" + view.status;
      word.textContent = view.word;
      message.textContent = view.message;
      if (live) live.textContent = name + ": " + view.word + (view.message ? ", " + view.message : "");
    });
  }
})();
