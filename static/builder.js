// The badge builder: previews and copyable snippets for a JID or room.
(() => {
  "use strict";
  const root = document.getElementById("builder");
  const base = root.dataset.base;
  const $ = (id) => document.getElementById(id);
  const kind = $("kind"), target = $("target"), style = $("style");
  const img = $("badge-preview"), livePreview = $("live-preview");

  // Escapes text for an HTML attribute value or element content.
  const html = (s) => s.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  // Escapes text for a Markdown link label.
  const md = (s) => s.replace(/[\\[\]]/g, "\\$&");
  // A path segment that keeps "@" readable. encodeURIComponent leaves
  // ( ) ' ! * as they are, and a ")" would end a Markdown link early.
  const seg = (s) => encodeURIComponent(s).replace(/%40/g, "@")
    .replace(/[()'!*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

  function snippets(isRoom, name, st) {
    const q = st && st !== "flat" ? "?style=" + encodeURIComponent(st) : "";
    const badge = base + (isRoom ? "/room/" : "/badge/") + seg(name) + ".svg" + q;
    const embed = base + (isRoom ? "/embed/room/" : "/embed/") + seg(name);
    const alt = name + (isRoom ? " occupants" : " presence");
    const tag = isRoom ? "xmpp-room" : "xmpp-presence";
    const attr = isRoom ? "room" : "jid";
    return {
      badge,
      markdown: "[![" + md(alt) + "](" + badge + ")](" + embed + ")",
      html: '<img src="' + html(badge) + '" alt="' + html(alt) + '">',
      iframe: '<iframe src="' + html(embed) + '" title="' + html(alt) + '" width="320" height="72" style="border:0"></iframe>',
      component: '<script src="' + html(base + "/widget.js") + '" async></script>\n<' + tag + " " + attr + '="' + html(name) + '"></' + tag + ">",
    };
  }

  let shown = "";
  function update() {
    const isRoom = kind.value === "room";
    const name = target.value.trim();
    const s = snippets(isRoom, name, style.value);
    for (const id of ["markdown", "html", "iframe", "component"]) $("snippet-" + id).textContent = name ? s[id] : "";
    img.hidden = !name;
    if (name) img.src = s.badge;
    const key = kind.value + " " + name;
    if (key === shown) return;
    shown = key;
    livePreview.replaceChildren();
    if (!name) return;
    const el = document.createElement(isRoom ? "xmpp-room" : "xmpp-presence");
    el.setAttribute(isRoom ? "room" : "jid", name);
    livePreview.append(el);
  }

  async function copy(ev) {
    const btn = ev.currentTarget;
    const text = $(btn.dataset.copy).textContent;
    try {
      await navigator.clipboard.writeText(text);
      btn.textContent = "Copied";
    } catch {
      const range = document.createRange();
      range.selectNodeContents($(btn.dataset.copy));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      btn.textContent = "Selected: press Ctrl+C";
    }
    setTimeout(() => { btn.textContent = "Copy"; }, 2000);
  }

  for (const el of [kind, target, style]) el.addEventListener("input", update);
  $("builder-form").addEventListener("submit", (ev) => { ev.preventDefault(); update(); });
  for (const btn of document.querySelectorAll("button.copy")) btn.addEventListener("click", copy);
  update();
})();
