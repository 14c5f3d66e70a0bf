// The badge builder: previews and copyable snippets for a JID, room or
// roster group, with every option of a badge and of a profile card. Until
// something is typed it shows the example the page names.
(() => {
  "use strict";
  const root = document.getElementById("builder");
  const base = root.dataset.base;
  const example = root.dataset.example;
  const $ = (id) => document.getElementById(id);
  const kind = $("kind"), target = $("target"), style = $("style"), label = $("label"), message = $("message");
  const color = $("color"), labelColor = $("labelColor"), logo = $("logo"), format = $("format"), scale = $("scale");
  const theme = $("theme");
  const img = $("badge-preview"), card = $("card-preview"), livePreview = $("live-preview");

  // Escapes text for an HTML attribute value or element content.
  const html = (s) => s.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  // Escapes text for a Markdown link label.
  const md = (s) => s.replace(/[\\[\]]/g, "\\$&");
  // A path segment that keeps "@" readable. encodeURIComponent leaves
  // ( ) ' ! * as they are, and a ")" would end a Markdown link early.
  const pct = (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase();
  const seg = (s) => encodeURIComponent(s).replace(/%40/g, "@").replace(/[()'!*]/g, pct);
  const val = (s) => encodeURIComponent(s).replace(/[()'!*]/g, pct);
  const colour = (s) => s.trim().replace(/^#/, "");

  // badgeQuery holds the badge options that differ from the defaults.
  function badgeQuery(st, isJID) {
    const q = [];
    if (st !== "flat") q.push("style=" + val(st));
    if (label.value.trim()) q.push("label=" + val(label.value.trim()));
    if (isJID && message.value !== "status") q.push("message=" + val(message.value));
    if (colour(color.value)) q.push("color=" + val(colour(color.value)));
    if (colour(labelColor.value)) q.push("labelColor=" + val(colour(labelColor.value)));
    if (logo.checked) q.push("logo=xmpp");
    if (format.value === "png" && scale.value !== "1") q.push("scale=" + val(scale.value));
    return q.length ? "?" + q.join("&") : "";
  }

  function cardQuery() {
    const q = [];
    if (theme.value !== "auto") q.push("theme=" + val(theme.value));
    if (format.value === "png" && scale.value !== "1") q.push("scale=" + val(scale.value));
    return q.length ? "?" + q.join("&") : "";
  }

  const paths = {
    jid: { badge: "/badge/", embed: "/embed/", alt: " presence", tag: "xmpp-presence", attr: "jid" },
    room: { badge: "/room/", embed: "/embed/room/", alt: " occupants", tag: "xmpp-room", attr: "room" },
    group: { badge: "/group/", embed: "/dashboard/", alt: " online", tag: "", attr: "" },
  };

  function badgeURL(k, name, st) {
    return base + paths[k].badge + seg(name) + "." + format.value + badgeQuery(st, k === "jid");
  }

  function snippets(k, name) {
    const p = paths[k];
    const badge = badgeURL(k, name, style.value);
    const embed = base + p.embed + seg(name);
    const alt = name + p.alt;
    const s = {
      badge,
      markdown: "[![" + md(alt) + "](" + badge + ")](" + embed + ")",
      html: '<a href="' + html(embed) + '"><img src="' + html(badge) + '" alt="' + html(alt) + '"></a>',
    };
    if (k === "jid") {
      s.card = base + "/card/" + seg(name) + "." + format.value + cardQuery();
      s["card-markdown"] = "[![" + md(name + " profile") + "](" + s.card + ")](" + embed + ")";
      s["card-html"] = '<a href="' + html(embed) + '"><img src="' + html(s.card) + '" alt="' + html(name + " profile") +
        '" width="400" height="120"></a>';
    }
    if (k !== "group") {
      s.iframe = '<iframe src="' + html(embed) + '" title="' + html(alt) + '" width="360" height="120" style="border:0"></iframe>';
      s.component = '<script src="' + html(base + "/widget.js") + '" async></script>\n<' + p.tag + " " + p.attr + '="' +
        html(name) + '"></' + p.tag + ">";
    } else {
      s.iframe = '<iframe src="' + html(embed) + '" title="' + html(name + " dashboard") + '" width="640" height="400" style="border:0"></iframe>';
    }
    return s;
  }

  const IDS = ["markdown", "html", "card-markdown", "card-html", "iframe", "component"];
  let shown = "";
  function update() {
    const k = kind.value;
    const typed = target.value.trim();
    const name = typed || (k === "jid" ? example : k === "room" ? "chat@rooms.example.com" : "team");
    $("shown-name").textContent = name;
    $("example-note").hidden = !!typed;
    label.placeholder = k === "jid" ? "the JID" : k === "room" ? "the room" : "the group";
    message.disabled = k !== "jid";
    scale.disabled = format.value !== "png";
    const s = snippets(k, name);
    for (const id of IDS) {
      $("box-" + id).hidden = !(id in s);
      $("snippet-" + id).textContent = s[id] || "";
    }
    if (img.getAttribute("src") !== s.badge) img.src = s.badge;
    img.alt = (k === "group" ? "group badge of " : "presence badge of ") + name;
    $("card-row").hidden = k !== "jid";
    if (s.card && card.getAttribute("src") !== s.card) card.src = s.card;
    card.alt = "profile card of " + name;
    for (const g of document.querySelectorAll("img.style-preview")) {
      const src = badgeURL(k, name, g.dataset.style);
      if (g.getAttribute("src") !== src) g.src = src;
      g.alt = g.dataset.style + " badge of " + name;
    }
    const key = k + " " + name;
    if (key === shown) return;
    shown = key;
    livePreview.replaceChildren();
    if (k === "group") return;
    const el = document.createElement(paths[k].tag);
    el.setAttribute(paths[k].attr, name);
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

  for (const el of [kind, target, style, label, message, color, labelColor, logo, format, scale, theme]) {
    el.addEventListener("input", update);
    el.addEventListener("change", update);
  }
  $("builder-form").addEventListener("submit", (ev) => { ev.preventDefault(); update(); });
  for (const btn of document.querySelectorAll("button.copy")) btn.addEventListener("click", copy);
  update();
})();
