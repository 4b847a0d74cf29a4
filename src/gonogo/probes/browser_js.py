"""The JavaScript the browser probe runs inside pages (Performance APIs, layout, mixed content).

Run through Playwright (``add_init_script``, ``evaluate``): DevTools evaluation is not subject
to the page's Content-Security-Policy, so a strict CSP neither blocks it nor logs a violation.
"""

from __future__ import annotations

# before any script of the page: observers with buffered entries, read back by TIMING
OBSERVE = """
(() => {
  const seen = { lcp: null, shifts: [], longTasks: [] };
  Object.defineProperty(window, "__gonogoVitals", { value: seen });
  const watch = (type, onEntry) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(onEntry))
        .observe({ type, buffered: true });
    } catch (err) { /* entry type not supported: reported as absent */ }
  };
  watch("largest-contentful-paint", (e) => { seen.lcp = e.renderTime || e.loadTime || e.startTime; });
  watch("layout-shift", (e) => { if (!e.hadRecentInput) seen.shifts.push([e.startTime, e.value]); });
  watch("longtask", (e) => { seen.longTasks.push([e.startTime, e.duration]); });
})();
"""

TIMING = """
() => {
  const nav = performance.getEntriesByType("navigation")[0] || {};
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const seen = window.__gonogoVitals || { lcp: null, shifts: [], longTasks: [] };
  return {
    ttfb: nav.responseStart || 0, dcl: nav.domContentLoadedEventEnd || 0,
    load: nav.loadEventEnd || 0, fcp: fcp ? fcp.startTime : null, lcp: seen.lcp,
    shifts: seen.shifts, longTasks: seen.longTasks,
  };
}
"""

# subresources an https page refers to over http (the browser blocks or upgrades most of them,
# so the requests alone do not show them all)
INSECURE = """
() => {
  const active = new Set(["script", "iframe", "frame", "object", "embed", "link"]);
  const found = [];
  const attrs = { img: "src", script: "src", iframe: "src", frame: "src", audio: "src",
    video: "src", source: "src", embed: "src", object: "data", track: "src", link: "href" };
  for (const [tag, attr] of Object.entries(attrs)) {
    for (const el of document.querySelectorAll(tag + "[" + attr + "]")) {
      if (tag === "link" && !/stylesheet|preload|modulepreload|icon/.test(el.rel || "")) continue;
      const url = el[attr] || el.getAttribute(attr);
      if (typeof url === "string" && url.toLowerCase().startsWith("http:")) {
        found.push([url, tag, active.has(tag)]);
      }
    }
  }
  for (const el of document.querySelectorAll("img[srcset], source[srcset]")) {
    for (const part of el.srcset.split(",")) {
      const url = part.trim().split(/\\s+/)[0];
      if (url.toLowerCase().startsWith("http:")) found.push([url, el.tagName.toLowerCase(), false]);
    }
  }
  return found;
}
"""

# the layout a phone shows: the document's width, elements past the right edge, tap targets
LAYOUT = """
() => {
  const width = window.innerWidth;
  const label = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "")
      .trim().slice(0, 30);
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/)[0] : "")
      + (text ? " '" + text + "'" : "");
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== "hidden" && style.display !== "none" && box.width > 0 && box.height > 0;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && getComputedStyle(el).position !== "fixed") {
      const parent = el.parentElement;
      const parentWide = parent && parent !== document.body && parent.getBoundingClientRect().right > width + 1;
      if (!parentWide) wide.push(label(el));
    }
  }
  const targets = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, [role=button], [onclick]";
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    targets.push([label(el), box.x + window.scrollX, box.y + window.scrollY, box.width, box.height]);
  }
  return {
    scrollWidth: Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0),
    wide: wide.slice(0, 20), targets: targets.slice(0, 500),
  };
}
"""

# hides what journeys typed (a screenshot must not show a secret): the fields keep their size
MASK_FILLED = """
(elements) => {
  for (const el of elements) {
    el.style.setProperty("-webkit-text-security", "disc");
    el.style.setProperty("color", "transparent");
  }
}
"""

# axe-core, once its source was evaluated in the page
AXE_RUN = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return {
    engine: "axe-core " + axe.version,
    passes: result.passes.length,
    violations: result.violations.map((v) => [v.id, v.impact || "minor", v.help, v.nodes.length,
      v.nodes.slice(0, 5).map((n) => n.target.join(" "))]),
  };
}
"""
