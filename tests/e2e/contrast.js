// WCAG 2 contrast of every visible piece of text, for the browser tests (tests/e2e/conftest.py).
//
// Playwright adds this file to every page before the page's own scripts (an init script, outside the
// page's Content-Security-Policy). It defines window.__globalirContrast.offenders(): the visible texts
// whose contrast against the background behind them is under 4.5:1 (3:1 for large text). When the page
// has loaded, and after each htmx swap, it hands them to the tests through the binding that
// conftest.py exposes (window.__globalirReportContrast).
(() => {
  if (window.__globalirContrast) {
    return;
  }
  const NORMAL = 4.5;
  const LARGE = 3;
  const WHITE = [255, 255, 255, 1];
  const probe = document.createElement("canvas").getContext("2d");

  function parseColour(value) {
    let match = /^rgba?\(([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\)$/.exec(value.trim());
    if (!match) {
      // Anything else (a named or system colour, color(srgb …)): the canvas writes it as #rrggbb or rgba().
      probe.fillStyle = "#000";
      probe.fillStyle = value;
      const normalised = probe.fillStyle;
      if (normalised.startsWith("#")) {
        return [1, 3, 5].map((i) => parseInt(normalised.slice(i, i + 2), 16)).concat([1]);
      }
      match = /^rgba?\(([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\)$/.exec(normalised);
      if (!match) {
        return null;
      }
    }
    let alpha = match[4] === undefined ? 1 : parseFloat(match[4]);
    if (match[4] && match[4].endsWith("%")) {
      alpha /= 100;
    }
    return [parseFloat(match[1]), parseFloat(match[2]), parseFloat(match[3]), alpha];
  }

  // `top` (with its alpha) painted over the opaque `bottom`.
  function over(top, bottom) {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  }

  function luminance(colour) {
    const [r, g, b] = colour.slice(0, 3).map((channel) => {
      const c = channel / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function ratio(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }

  function hex(colour) {
    return "#" + colour.slice(0, 3).map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
  }

  // The opaque colour behind `element`: its own background and its ancestors', painted over the white
  // canvas. null when an image or gradient is in the way (its colours cannot be known here).
  function backgroundOf(element) {
    const layers = [];
    for (let node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== "none") {
        return null;
      }
      const colour = parseColour(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) {
          break;
        }
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), WHITE);
  }

  function opacityOf(element) {
    let opacity = 1;
    for (let node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
      opacity *= parseFloat(getComputedStyle(node).opacity);
    }
    return opacity;
  }

  function hasOwnText(element) {
    for (const child of element.childNodes) {
      if (child.nodeType === Node.TEXT_NODE && child.data.trim()) {
        return true;
      }
    }
    return false;
  }

  const VALUE_INPUTS = new Set(["", "text", "search", "email", "url", "tel", "number", "password", "submit", "button", "reset"]);

  function shownText(element) {
    const tag = element.localName;
    if (tag === "input") {
      return VALUE_INPUTS.has(element.type) && element.value.trim() ? element.value : "";
    }
    if (tag === "textarea") {
      return element.value.trim() ? element.value : "";
    }
    if (tag === "select") {
      const chosen = element.selectedOptions[0];
      return chosen ? chosen.textContent : "";
    }
    if (tag === "option" || tag === "title" || tag === "desc" || tag === "script" || tag === "style") {
      return "";
    }
    return hasOwnText(element) ? element.textContent : "";
  }

  function describe(element) {
    let name = element.localName;
    if (element.id) {
      name += "#" + element.id;
    }
    const classes = typeof element.className === "string" ? element.className.trim() : "";
    if (classes) {
      name += "." + classes.split(/\s+/).join(".");
    }
    return name;
  }

  function offenders(root = document.body) {
    const found = [];
    if (!root) {
      return found;
    }
    // A fading element has no contrast yet: it is judged when it has settled.
    const moving = document.getAnimations().map((animation) => animation.effect && animation.effect.target);
    for (const element of [root, ...root.querySelectorAll("*")]) {
      const text = shownText(element).replace(/\s+/g, " ").trim();
      if (!text) {
        continue;
      }
      // Text of disabled controls is exempt (WCAG 1.4.3).
      if (element.matches(":disabled") || element.closest("[aria-disabled=true]")) {
        continue;
      }
      if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) {
        continue;
      }
      const box = element.getBoundingClientRect();
      // Visually hidden text (1px, clipped) and links parked off-screen until focused (the skip link).
      if (box.width <= 1 || box.height <= 1 || box.right + window.scrollX <= 0 || box.bottom + window.scrollY <= 0) {
        continue;
      }
      if (moving.some((target) => target && (target === element || target.contains(element)))) {
        continue;
      }
      const style = getComputedStyle(element);
      const svg = element instanceof SVGElement;
      let foreground = parseColour(svg ? style.fill : style.color);
      const background = backgroundOf(svg ? element.ownerSVGElement || element : element);
      if (!foreground || !background) {
        continue;
      }
      foreground = [...foreground.slice(0, 3), foreground[3] * opacityOf(element)];
      const shown = over(foreground, background);
      let size = parseFloat(style.fontSize);
      if (svg && element.getScreenCTM) {
        const matrix = element.getScreenCTM();
        size *= matrix ? Math.hypot(matrix.a, matrix.b) : 1;
      }
      const weight = parseInt(style.fontWeight, 10) || 400;
      const large = size >= 24 || (size >= 18.66 && weight >= 700);
      const needed = large ? LARGE : NORMAL;
      const contrast = ratio(shown, background);
      if (contrast < needed) {
        found.push({
          element: describe(element),
          text: text.length > 60 ? text.slice(0, 57) + "…" : text,
          ratio: Math.floor(contrast * 100) / 100,
          needed,
          foreground: hex(shown),
          background: hex(background),
        });
      }
    }
    return found;
  }

  const contrast = { offenders, reports: 0 };

  function report() {
    if (typeof window.__globalirReportContrast === "function") {
      window.__globalirReportContrast({ url: location.href, offenders: offenders() });
      // Counted once sent, so that a test can wait for a check (the report reaches it first).
      contrast.reports += 1;
    }
  }

  // One swap settles several elements (the target and each out-of-band one): one check once they all have.
  let pending = false;
  function reportOnce() {
    if (!pending) {
      pending = true;
      queueMicrotask(() => {
        pending = false;
        report();
      });
    }
  }

  window.__globalirContrast = contrast;
  window.addEventListener("load", report);
  document.addEventListener("htmx:afterSettle", reportOnce);
})();
