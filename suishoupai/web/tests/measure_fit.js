// What does not fit on this page (run by the browser tests through page.evaluate):
// - page: how many pixels the page is wider than the window (it should scroll only down);
// - clipped: boxes that hide or scroll part of their content sideways (only the .clip
//   one-line summaries may, by design);
// - wrapped: buttons, badges, case numbers and deadlines broken over several lines;
// - stacked: any text squeezed to one character per line (a table column on a phone).
() => {
  const root = document.documentElement;
  const out = { page: Math.max(0, root.scrollWidth - root.clientWidth), clipped: [], wrapped: [], stacked: [] };
  const name = (el) => {
    const classes = typeof el.className === "string" ? el.className.trim().split(/\s+/).filter(Boolean) : [];
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes.map((c) => "." + c).join("");
  };
  const visible = (el) => el.getClientRects().length > 0;
  const formControl = (el) => ["INPUT", "SELECT", "TEXTAREA", "OPTION"].includes(el.tagName);

  document.querySelectorAll("body *").forEach((el) => {
    if (!visible(el) || formControl(el) || el.closest(".leaflet-container, .clip")) return;
    const overflow = getComputedStyle(el).overflowX;
    if (overflow !== "visible" && el.scrollWidth > el.clientWidth + 1) {
      out.clipped.push(`${name(el)} ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  });

  // Lines are counted from the text itself, so an absolutely placed child (a file input
  // laid over its button) does not count as a second line.
  const textRects = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return Array.from(range.getClientRects()).filter((rect) => rect.width > 0);
  };
  const lines = (el) => {
    const tops = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      for (const rect of textRects(node)) tops.add(Math.round(rect.top));
    }
    return tops.size;
  };
  document.querySelectorAll("button, .button, .tag, .badge, .number, .due, .count").forEach((el) => {
    if (!visible(el) || el.closest(".leaflet-container")) return;
    const n = lines(el);
    if (n > 1) out.wrapped.push(`${name(el)} “${el.innerText.trim()}” in ${n} lines`);
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, "");
    if (text.length < 2 || !node.parentElement || !visible(node.parentElement)) continue;
    const tops = new Set(textRects(node).map((rect) => Math.round(rect.top)));
    if (tops.size > 1 && text.length / tops.size < 1.6) {
      out.stacked.push(`${name(node.parentElement)} “${text}” in ${tops.size} lines`);
    }
  }
  return out;
}
