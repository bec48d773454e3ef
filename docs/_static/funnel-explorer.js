/* The funnel explorer: leapfrog and NUTS in Neal's two-dimensional funnel, and a widget to steer them.
 *
 * A classic script (no module, no framework, nothing from another host), so the page also works
 * when opened from disk. The funnel: v ~ N(0, 3), x | v ~ N(0, exp(v / 2)); the offset coordinates
 * z = x exp(-v / 2) turn it into two independent normals. Positions and momenta are [v, x]
 * (or [v, z]). The arithmetic follows funnelguide/dynamics.py step for step.
 */
(function () {
  "use strict";

  var V_SD = 3.0;
  var DEFAULT_THRESHOLD = 1000.0;
  var MAX_TREE_DEPTH = 10;

  /* ---- densities (the same expressions, up to the same constant, as fg.dynamics) ---- */

  function centeredLogpGrad(q) {
    var v = q[0], x = q[1];
    var precision = Math.exp(-v);
    var logp = -0.5 * v * v / (V_SD * V_SD) - 0.5 * x * x * precision - 0.5 * v;
    return {
      logp: logp,
      grad: [-v / (V_SD * V_SD) + 0.5 * x * x * precision - 0.5, -x * precision],
    };
  }

  function offsetLogpGrad(q) {
    var v = q[0], z = q[1];
    return { logp: -0.5 * v * v / (V_SD * V_SD) - 0.5 * z * z, grad: [-v / (V_SD * V_SD), -z] };
  }

  function density(parameterization) {
    if (parameterization === "centered") return centeredLogpGrad;
    if (parameterization === "noncentered") return offsetLogpGrad;
    throw new Error(
      'parameterization must be "centered" or "noncentered", got ' + JSON.stringify(parameterization)
    );
  }

  function kinetic(p) {
    // numpy's p @ p sums in storage order [x, v]; keep that order.
    return 0.5 * (p[1] * p[1] + p[0] * p[0]);
  }

  function checkPair(name, value) {
    if (!value || value.length !== 2 || !isFinite(value[0]) || !isFinite(value[1])) {
      throw new Error(name + " must be a pair of finite numbers [v, x], got " + JSON.stringify(value));
    }
  }

  /* ---- the leapfrog, contract: all steps integrated, energy errors, first divergent step ---- */

  function leapfrog(position, momentum, stepSize, steps, options) {
    options = options || {};
    var threshold = options.threshold === undefined ? DEFAULT_THRESHOLD : options.threshold;
    var logpGrad = density(options.parameterization || "centered");
    checkPair("position", position);
    checkPair("momentum", momentum);
    if (!(stepSize > 0)) throw new Error("stepSize must be positive, got " + stepSize);
    if (!(steps >= 1) || Math.floor(steps) !== steps) {
      throw new Error("steps must be an integer of at least 1, got " + steps);
    }
    var q = [+position[0], +position[1]];
    var p = [+momentum[0], +momentum[1]];
    var state = logpGrad(q);
    var grad = state.grad;
    var h0 = -state.logp + kinetic(p);
    var positions = [q.slice()];
    var energyErrors = [0];
    var divergentStep = -1;
    for (var step = 1; step <= steps; step++) {
      p = [p[0] + 0.5 * stepSize * grad[0], p[1] + 0.5 * stepSize * grad[1]];
      q = [q[0] + stepSize * p[0], q[1] + stepSize * p[1]];
      state = logpGrad(q);
      grad = state.grad;
      p = [p[0] + 0.5 * stepSize * grad[0], p[1] + 0.5 * stepSize * grad[1]];
      var energy = -state.logp + kinetic(p);
      var error = energy - h0;
      if (divergentStep < 0 && (!isFinite(energy) || error > threshold)) divergentStep = step;
      positions.push(q.slice());
      energyErrors.push(isFinite(error) ? error : Infinity);
    }
    return { positions: positions, energyErrors: energyErrors, divergentStep: divergentStep };
  }

  /* ---- a seeded PRNG: mulberry32, with Box-Muller normals ---- */

  function makeRng(seed) {
    var a = seed >>> 0;
    var spare = null;
    function uniform() {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    function normal() {
      if (spare !== null) {
        var s = spare;
        spare = null;
        return s;
      }
      var u1 = uniform();
      while (u1 <= 0) u1 = uniform();
      var u2 = uniform();
      var r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    }
    return { uniform: uniform, normal: normal };
  }

  /* ---- NUTS as Stan runs it: multinomial, generalized U-turn, a divergence ends the tree ---- */

  function dot(a, b) {
    return a[0] * b[0] + a[1] * b[1];
  }

  function logAddExp(a, b) {
    if (a === -Infinity) return b;
    if (b === -Infinity) return a;
    var m = Math.max(a, b);
    return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
  }

  function noUTurn(rho, pMinus, pPlus) {
    return dot(pMinus, rho) > 0 && dot(pPlus, rho) > 0;
  }

  // A tree keeps its two ends in the order of the trajectory (minus = earlier in time).
  function oneStep(logpGrad, end, direction, stepSize, h0, threshold) {
    var eps = direction * stepSize;
    var p = [end.p[0] + 0.5 * eps * end.grad[0], end.p[1] + 0.5 * eps * end.grad[1]];
    var q = [end.q[0] + eps * p[0], end.q[1] + eps * p[1]];
    var state = logpGrad(q);
    p = [p[0] + 0.5 * eps * state.grad[0], p[1] + 0.5 * eps * state.grad[1]];
    var h = -state.logp + kinetic(p);
    var point = { q: q, p: p, grad: state.grad };
    var divergent = !isFinite(h) || h - h0 > threshold;
    return {
      minus: point,
      plus: point,
      proposal: q,
      logWeight: divergent ? -Infinity : h0 - h,
      rho: p.slice(),
      divergent: divergent,
      turning: false,
    };
  }

  function merge(left, right, proposal, logWeight) {
    var rho = [left.rho[0] + right.rho[0], left.rho[1] + right.rho[1]];
    var turning =
      !noUTurn(rho, left.minus.p, right.plus.p) ||
      !noUTurn([left.rho[0] + right.minus.p[0], left.rho[1] + right.minus.p[1]], left.minus.p, right.minus.p) ||
      !noUTurn([right.rho[0] + left.plus.p[0], right.rho[1] + left.plus.p[1]], left.plus.p, right.plus.p);
    return {
      minus: left.minus,
      plus: right.plus,
      proposal: proposal,
      logWeight: logWeight,
      rho: rho,
      divergent: false,
      turning: turning,
    };
  }

  function buildTree(ctx, end, direction, depth) {
    if (depth === 0) return oneStep(ctx.logpGrad, end, direction, ctx.stepSize, ctx.h0, ctx.threshold);
    var inner = buildTree(ctx, end, direction, depth - 1);
    if (inner.divergent || inner.turning) return inner;
    var outer = buildTree(ctx, direction > 0 ? inner.plus : inner.minus, direction, depth - 1);
    if (outer.divergent || outer.turning) return outer;
    var logWeight = logAddExp(inner.logWeight, outer.logWeight);
    // Within a subtree the proposal is drawn uniformly by weight.
    var proposal = Math.log(ctx.rng.uniform()) < outer.logWeight - logWeight ? outer.proposal : inner.proposal;
    return direction > 0
      ? merge(inner, outer, proposal, logWeight)
      : merge(outer, inner, proposal, logWeight);
  }

  function transition(ctx, q) {
    var state = ctx.logpGrad(q);
    var p = [ctx.rng.normal(), ctx.rng.normal()];
    ctx.h0 = -state.logp + kinetic(p);
    var start = { q: q, p: p, grad: state.grad };
    var tree = { minus: start, plus: start, proposal: q, logWeight: 0, rho: p.slice() };
    var divergent = false;
    for (var depth = 0; depth < MAX_TREE_DEPTH; depth++) {
      var direction = ctx.rng.uniform() < 0.5 ? -1 : 1;
      var sub = buildTree(ctx, direction > 0 ? tree.plus : tree.minus, direction, depth);
      if (sub.divergent) {
        divergent = true;
        break;
      }
      if (sub.turning) break;
      // Between the old tree and the new subtree the draw is biased towards the new one, as in Stan.
      var proposal = Math.log(ctx.rng.uniform()) < sub.logWeight - tree.logWeight ? sub.proposal : tree.proposal;
      var logWeight = logAddExp(tree.logWeight, sub.logWeight);
      tree = direction > 0 ? merge(tree, sub, proposal, logWeight) : merge(sub, tree, proposal, logWeight);
      if (tree.turning) break;
    }
    return { q: tree.proposal, divergent: divergent };
  }

  function sample(options) {
    options = options || {};
    var parameterization = options.parameterization || "noncentered";
    var logpGrad = density(parameterization);
    var draws = options.draws === undefined ? 1000 : options.draws;
    var stepSize = options.stepSize === undefined ? 0.5 : options.stepSize;
    if (!(draws >= 1) || Math.floor(draws) !== draws) {
      throw new Error("draws must be an integer of at least 1, got " + draws);
    }
    if (!(stepSize > 0)) throw new Error("stepSize must be positive, got " + stepSize);
    var rng = makeRng(options.seed === undefined ? 1 : options.seed);
    var ctx = {
      logpGrad: logpGrad,
      stepSize: stepSize,
      threshold: options.threshold === undefined ? DEFAULT_THRESHOLD : options.threshold,
      rng: rng,
      h0: 0,
    };
    // Stan's default initialisation: uniform on (-2, 2) in the sampler's own coordinates.
    var q = [4 * rng.uniform() - 2, 4 * rng.uniform() - 2];
    var out = { v: [], x: [], divergent: [] };
    for (var i = 0; i < draws; i++) {
      var result = transition(ctx, q);
      q = result.q;
      out.v.push(q[0]);
      out.x.push(parameterization === "centered" ? q[1] : q[1] * Math.exp(q[0] / 2));
      out.divergent.push(result.divergent);
    }
    return out;
  }

  window.FunnelExplorer = {
    leapfrog: leapfrog,
    sample: sample,
    DEFAULT_THRESHOLD: DEFAULT_THRESHOLD,
    V_SD: V_SD,
    _rng: makeRng,
  };
})();

/* ---- the widget: two linked panels, controls, an energy trace and a sampler mode ---- */
(function () {
  "use strict";
  var FE = window.FunnelExplorer;
  var CENTERED = { xMin: -12, xMax: 12, name: "x" };
  var OFFSET = { xMin: -4, xMax: 4, name: "z" };
  var V_MIN = -9, V_MAX = 9;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  function palette() {
    var dark = isDark();
    return {
      background: dark ? [20, 24, 31] : [255, 255, 255],
      heat: dark ? [96, 165, 250] : [37, 99, 235],
      text: dark ? "#e5e7eb" : "#1f2937",
      grid: dark ? "rgba(229,231,235,0.25)" : "rgba(31,41,55,0.2)",
      centered: dark ? "#fb923c" : "#c2410c",
      offset: dark ? "#4ade80" : "#15803d",
      divergent: dark ? "#f87171" : "#b91c1c",
      start: dark ? "#fde047" : "#000000",
    };
  }

  function el(tag, attrs, parent) {
    var node = document.createElement(tag);
    for (var key in attrs) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(node);
    return node;
  }

  function sizeCanvas(canvas, cssHeightRatio) {
    var width = canvas.parentNode.clientWidth || 300;
    var height = Math.round(width * cssHeightRatio);
    var ratio = window.devicePixelRatio || 1;
    canvas.style.height = height + "px";
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, width: width, height: height };
  }

  function Panel(canvas, coords) {
    this.canvas = canvas;
    this.coords = coords;
    this.margin = { left: 30, right: 6, top: 6, bottom: 24 };
  }
  Panel.prototype.resize = function () {
    var s = sizeCanvas(this.canvas, 0.9);
    this.ctx = s.ctx;
    this.width = s.width;
    this.height = s.height;
    this.heat = null;
  };
  Panel.prototype.px = function (h) {
    var m = this.margin;
    return m.left + ((h - this.coords.xMin) / (this.coords.xMax - this.coords.xMin)) * (this.width - m.left - m.right);
  };
  Panel.prototype.py = function (v) {
    var m = this.margin;
    return m.top + ((V_MAX - v) / (V_MAX - V_MIN)) * (this.height - m.top - m.bottom);
  };
  Panel.prototype.fromPixel = function (px, py) {
    var m = this.margin;
    var h = this.coords.xMin + ((px - m.left) / (this.width - m.left - m.right)) * (this.coords.xMax - this.coords.xMin);
    var v = V_MAX - ((py - m.top) / (this.height - m.top - m.bottom)) * (V_MAX - V_MIN);
    return [Math.max(V_MIN, Math.min(V_MAX, v)), Math.max(this.coords.xMin, Math.min(this.coords.xMax, h))];
  };
  Panel.prototype.logDensity = function (v, h) {
    // The density of the panel's own coordinates (the offset panel shows z ~ N(0, 1), v ~ N(0, 3)).
    if (this.coords === OFFSET) return -0.5 * v * v / 9 - 0.5 * h * h;
    return -0.5 * v * v / 9 - 0.5 * h * h * Math.exp(-v) - 0.5 * v;
  };
  Panel.prototype.drawHeat = function (colors) {
    var n = 90;
    var off = document.createElement("canvas");
    off.width = n;
    off.height = n;
    var octx = off.getContext("2d");
    var image = octx.createImageData(n, n);
    var max = -Infinity, values = [];
    for (var j = 0; j < n; j++) {
      for (var i = 0; i < n; i++) {
        var v = V_MAX - ((j + 0.5) / n) * (V_MAX - V_MIN);
        var h = this.coords.xMin + ((i + 0.5) / n) * (this.coords.xMax - this.coords.xMin);
        var lp = this.logDensity(v, h);
        values.push(lp);
        if (lp > max) max = lp;
      }
    }
    for (var k = 0; k < values.length; k++) {
      // Shade by log density over twelve units below the highest cell: the neck stays visible.
      var t = Math.max(0, Math.min(1, 1 + (values[k] - max) / 12));
      t = t * t;
      for (var c = 0; c < 3; c++) {
        image.data[4 * k + c] = Math.round(colors.background[c] * (1 - 0.75 * t) + colors.heat[c] * 0.75 * t);
      }
      image.data[4 * k + 3] = 255;
    }
    octx.putImageData(image, 0, 0);
    this.heat = off;
  };
  Panel.prototype.drawBase = function (colors) {
    var ctx = this.ctx, m = this.margin;
    if (!this.heat) this.drawHeat(colors);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.heat, m.left, m.top, this.width - m.left - m.right, this.height - m.top - m.bottom);
    ctx.fillStyle = colors.text;
    ctx.strokeStyle = colors.grid;
    ctx.font = "11px sans-serif";
    ctx.textAlign = "center";
    var xs = this.coords === OFFSET ? [-4, -2, 0, 2, 4] : [-12, -6, 0, 6, 12];
    for (var i = 0; i < xs.length; i++) ctx.fillText(String(xs[i]), this.px(xs[i]), this.height - 12);
    ctx.fillText(this.coords.name, (m.left + this.width) / 2, this.height - 1);
    ctx.textAlign = "right";
    var vs = [-9, -6, -3, 0, 3, 6, 9];
    for (var k = 0; k < vs.length; k++) ctx.fillText(String(vs[k]), m.left - 4, this.py(vs[k]) + 4);
    ctx.textAlign = "left";
    ctx.fillText("v", 2, m.top + 10);
  };
  Panel.prototype.line = function (points, color, dashed, divergentStep) {
    var ctx = this.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.margin.left, this.margin.top, this.width - this.margin.left - this.margin.right, this.height - this.margin.top - this.margin.bottom);
    ctx.clip();
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.6;
    if (dashed) ctx.setLineDash([4, 3]);
    ctx.beginPath();
    var started = false;
    for (var i = 0; i < points.length; i++) {
      var a = this.px(points[i][1]), b = this.py(points[i][0]);
      if (!isFinite(a) || !isFinite(b) || Math.abs(a) > 1e6 || Math.abs(b) > 1e6) break;
      if (started) ctx.lineTo(a, b);
      else ctx.moveTo(a, b);
      started = true;
    }
    ctx.stroke();
    if (divergentStep > 0 && divergentStep < points.length) {
      var d = points[divergentStep];
      var dx = this.px(d[1]), dy = this.py(d[0]);
      if (isFinite(dx) && isFinite(dy) && Math.abs(dx) < 1e6 && Math.abs(dy) < 1e6) {
        ctx.setLineDash([]);
        ctx.strokeStyle = this.divergentColor;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(dx - 5, dy - 5);
        ctx.lineTo(dx + 5, dy + 5);
        ctx.moveTo(dx + 5, dy - 5);
        ctx.lineTo(dx - 5, dy + 5);
        ctx.stroke();
      }
    }
    ctx.restore();
  };
  Panel.prototype.dot = function (v, h, color, radius) {
    var ctx = this.ctx;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(this.px(h), this.py(v), radius, 0, 2 * Math.PI);
    ctx.fill();
  };

  function toOffset(points) {
    return points.map(function (p) { return [p[0], p[1] * Math.exp(-p[0] / 2)]; });
  }
  function toCentered(points) {
    return points.map(function (p) { return [p[0], p[1] * Math.exp(p[0] / 2)]; });
  }

  function symlog(e) {
    return (e < 0 ? -1 : 1) * Math.log10(1 + Math.abs(e));
  }

  function fmt(value) {
    if (!isFinite(value)) return String(value);
    return Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(2) : value.toFixed(3);
  }

  function Control(form, id, label, attrs, onInput) {
    var row = el("div", { class: "fe-control" }, form);
    el("label", { for: id, text: label }, row);
    var range = el("input", Object.assign({ type: "range", id: id }, attrs), row);
    var number = el("input", Object.assign({ type: "number", "aria-label": label + " (number)" }, attrs), row);
    function clamped(value) {
      return Math.min(+attrs.max, Math.max(+attrs.min, value));
    }
    function sync(source, target) {
      source.addEventListener("input", function () {
        if (source.value === "" || !isFinite(+source.value)) return;
        var value = clamped(+source.value);
        target.value = value;
        onInput(value);
      });
    }
    sync(range, number);
    sync(number, range);
    // A typed value outside the slider's range is pulled back to it when the field is left.
    number.addEventListener("change", function () {
      if (number.value === "" || !isFinite(+number.value)) number.value = range.value;
      else number.value = clamped(+number.value);
    });
    this.set = function (value) {
      range.value = value;
      number.value = value;
    };
    this.range = range;
  }

  function Explorer(root) {
    this.root = root;
    var config = {};
    var script = root.querySelector("script.funnel-explorer-config");
    if (script) config = JSON.parse(script.textContent);
    this.config = config;
    this.state = {
      stepSize: config.step_size || 0.2,
      steps: config.steps || 50,
      start: config.start || [-3, 0.5],
      momentum: config.momentum || [1, 1],
      threshold: config.threshold || FE.DEFAULT_THRESHOLD,
      samplerStep: config.sampler_step_size || config.step_size || 0.2,
    };
    this.build();
  }

  Explorer.prototype.build = function () {
    var self = this, root = this.root;
    var fallback = root.querySelector(".fe-fallback");
    if (fallback) fallback.hidden = true;
    var app = el("div", { class: "fe-app" }, root);
    var panels = el("div", { class: "fe-panels" }, app);
    function figure(title, label) {
      var fig = el("figure", { class: "fe-panel" }, panels);
      el("figcaption", { text: title }, fig);
      var canvas = el("canvas", { tabindex: "0", role: "img", "aria-label": label }, fig);
      return canvas;
    }
    var help = "Drag the start point or move it with the arrow keys.";
    this.centered = new Panel(figure("Centered (x, v)", "Funnel in centered coordinates. " + help), CENTERED);
    this.offset = new Panel(figure("Offset (z, v), z = x·exp(−v/2)", "Funnel in offset coordinates. " + help), OFFSET);
    el("p", { class: "fe-hint", text: help + " Both panels show the same trajectory." }, app);
    var traceFig = el("figure", { class: "fe-trace" }, app);
    el("figcaption", { text: "Energy error per leapfrog step (symmetric log scale); × marks the divergent step" }, traceFig);
    this.traceCanvas = el("canvas", { role: "img", "aria-label": "Energy error per step" }, traceFig);
    this.readout = el("p", { class: "fe-readout", "aria-live": "polite" }, app);

    var form = el("form", { class: "fe-controls" }, app);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var id = "fe" + Math.random().toString(36).slice(2, 8);
    var s = this.state;
    this.controls = {
      stepSize: new Control(form, id + "-eps", "Step size", { min: 0.01, max: 1.5, step: 0.01 }, function (x) { s.stepSize = x; self.update(); }),
      steps: new Control(form, id + "-n", "Leapfrog steps", { min: 1, max: 1000, step: 1 }, function (x) { s.steps = Math.max(1, Math.round(x)); self.update(); }),
      pv: new Control(form, id + "-pv", "Momentum in v", { min: -5, max: 5, step: 0.1 }, function (x) { s.momentum = [x, s.momentum[1]]; self.update(); }),
      px: new Control(form, id + "-px", "Momentum in x (and z)", { min: -5, max: 5, step: 0.1 }, function (x) { s.momentum = [s.momentum[0], x]; self.update(); }),
      threshold: new Control(form, id + "-thr", "Divergence threshold", { min: 1, max: 5000, step: 1 }, function (x) { s.threshold = x; self.update(); }),
    };
    this.syncControls();

    [this.centered, this.offset].forEach(function (panel) { self.attachPointer(panel); });

    this.buildSampler(app, id);
    this.resize();
    window.addEventListener("resize", function () { self.resize(); });
    new MutationObserver(function () { self.resize(); }).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
  };

  Explorer.prototype.syncControls = function () {
    var s = this.state, c = this.controls;
    c.stepSize.set(s.stepSize);
    c.steps.set(s.steps);
    c.pv.set(s.momentum[0]);
    c.px.set(s.momentum[1]);
    c.threshold.set(s.threshold);
  };

  Explorer.prototype.attachPointer = function (panel) {
    var self = this, dragging = false;
    function move(event) {
      var rect = panel.canvas.getBoundingClientRect();
      var q = panel.fromPixel(event.clientX - rect.left, event.clientY - rect.top);
      self.state.start = panel.coords === OFFSET ? toCentered([q])[0] : q;
      self.update();
    }
    panel.canvas.addEventListener("pointerdown", function (e) {
      dragging = true;
      panel.canvas.setPointerCapture(e.pointerId);
      move(e);
    });
    panel.canvas.addEventListener("pointermove", function (e) { if (dragging) move(e); });
    panel.canvas.addEventListener("pointerup", function () { dragging = false; });
    panel.canvas.addEventListener("keydown", function (e) {
      var step = e.shiftKey ? 1 : 0.25;
      var q = panel.coords === OFFSET ? toOffset([self.state.start])[0] : self.state.start.slice();
      var span = (panel.coords.xMax - panel.coords.xMin) / 18;
      if (e.key === "ArrowUp") q[0] += step;
      else if (e.key === "ArrowDown") q[0] -= step;
      else if (e.key === "ArrowLeft") q[1] -= step * span;
      else if (e.key === "ArrowRight") q[1] += step * span;
      else return;
      e.preventDefault();
      q[0] = Math.max(V_MIN, Math.min(V_MAX, q[0]));
      self.state.start = panel.coords === OFFSET ? toCentered([q])[0] : q;
      self.update();
    });
  };

  Explorer.prototype.resize = function () {
    this.colors = palette();
    this.centered.resize();
    this.offset.resize();
    this.centered.divergentColor = this.offset.divergentColor = this.colors.divergent;
    var t = sizeCanvas(this.traceCanvas, 0.22);
    this.trace = t;
    this.update();
    this.drawSampler();
  };

  Explorer.prototype.update = function () {
    var s = this.state;
    var options = { threshold: s.threshold };
    var centered = FE.leapfrog(s.start, s.momentum, s.stepSize, s.steps, Object.assign({ parameterization: "centered" }, options));
    var offsetStart = toOffset([s.start])[0];
    var offset = FE.leapfrog(offsetStart, s.momentum, s.stepSize, s.steps, Object.assign({ parameterization: "noncentered" }, options));
    this.result = { centered: centered, offset: offset };
    this.draw();
    var last = centered.energyErrors[centered.energyErrors.length - 1];
    var d = this.root.dataset;
    d.stepSize = String(s.stepSize);
    d.steps = String(s.steps);
    d.start = JSON.stringify(s.start);
    d.momentum = JSON.stringify(s.momentum);
    d.threshold = String(s.threshold);
    d.energyError = String(last);
    d.divergent = String(centered.divergentStep > 0);
    d.divergentStep = String(centered.divergentStep);
    d.offsetEnergyError = String(offset.energyErrors[offset.energyErrors.length - 1]);
    d.offsetDivergentStep = String(offset.divergentStep);
    this.readout.textContent =
      "Start v = " + fmt(s.start[0]) + ", x = " + fmt(s.start[1]) +
      ". Centered: energy error after " + s.steps + " steps " + fmt(last) +
      (centered.divergentStep > 0 ? ", divergent at step " + centered.divergentStep : ", no divergence") +
      ". Offset: energy error " + fmt(offset.energyErrors[offset.energyErrors.length - 1]) +
      (offset.divergentStep > 0 ? ", divergent at step " + offset.divergentStep : ", no divergence") + ".";
    d.status = "ready";
  };

  Explorer.prototype.draw = function () {
    var c = this.colors, r = this.result, s = this.state;
    this.centered.drawBase(c);
    this.centered.line(toCentered(r.offset.positions), c.offset, true, r.offset.divergentStep);
    this.centered.line(r.centered.positions, c.centered, false, r.centered.divergentStep);
    this.centered.dot(s.start[0], s.start[1], c.start, 4);
    var offsetStart = toOffset([s.start])[0];
    this.offset.drawBase(c);
    this.offset.line(toOffset(r.centered.positions), c.centered, true, r.centered.divergentStep);
    this.offset.line(r.offset.positions, c.offset, false, r.offset.divergentStep);
    this.offset.dot(offsetStart[0], offsetStart[1], c.start, 4);
    this.drawTrace();
  };

  Explorer.prototype.drawTrace = function () {
    var t = this.trace, ctx = t.ctx, c = this.colors, r = this.result, s = this.state;
    var left = 34, bottom = t.height - 4, top = 4;
    ctx.clearRect(0, 0, t.width, t.height);
    var all = r.centered.energyErrors.concat(r.offset.energyErrors, [s.threshold]).filter(isFinite).map(symlog);
    var hi = Math.max.apply(null, all.concat([1])), lo = Math.min.apply(null, all.concat([-1]));
    function y(e) { return bottom - ((symlog(Math.min(Math.max(e, -1e300), 1e300)) - lo) / (hi - lo)) * (bottom - top); }
    function x(i) { return left + (i / Math.max(1, s.steps)) * (t.width - left - 4); }
    ctx.strokeStyle = c.grid;
    ctx.fillStyle = c.text;
    ctx.font = "10px sans-serif";
    ctx.setLineDash([2, 3]);
    ctx.beginPath(); ctx.moveTo(left, y(s.threshold)); ctx.lineTo(t.width, y(s.threshold)); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(left, y(0)); ctx.lineTo(t.width, y(0)); ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = "right";
    ctx.fillText("0", left - 3, y(0) + 3);
    ctx.fillText(String(s.threshold), left - 3, y(s.threshold) + 3);
    [[r.offset, c.offset], [r.centered, c.centered]].forEach(function (pair) {
      var errors = pair[0].energyErrors;
      ctx.strokeStyle = pair[1];
      ctx.lineWidth = 1.4;
      ctx.beginPath();
      for (var i = 0; i < errors.length; i++) {
        var yy = isFinite(errors[i]) ? y(errors[i]) : top;
        if (i === 0) ctx.moveTo(x(i), yy); else ctx.lineTo(x(i), yy);
      }
      ctx.stroke();
      var d = pair[0].divergentStep;
      if (d > 0) {
        ctx.strokeStyle = c.divergent;
        ctx.beginPath(); ctx.moveTo(x(d), top); ctx.lineTo(x(d), bottom); ctx.stroke();
      }
    });
  };

  /* ---- sampler mode ---- */

  Explorer.prototype.buildSampler = function (app, id) {
    var self = this;
    var box = el("section", { class: "fe-sampler", "aria-label": "NUTS sampler, centered and non-centered" }, app);
    el("h3", { text: "NUTS in both parameterizations" }, box);
    var form = el("form", { class: "fe-controls" }, box);
    form.addEventListener("submit", function (e) { e.preventDefault(); self.runSampler(); });
    this.samplerStepControl = new Control(form, id + "-seps", "Sampler step size", { min: 0.05, max: 1.5, step: 0.01 }, function (x) { self.state.samplerStep = x; });
    this.samplerStepControl.set(this.state.samplerStep);
    this.drawsControl = new Control(form, id + "-draws", "Draws", { min: 100, max: 5000, step: 100 }, function () {});
    this.drawsControl.set(this.config.draws || 1000);
    this.seedControl = new Control(form, id + "-seed", "Seed", { min: 1, max: 1000, step: 1 }, function () {});
    this.seedControl.set(this.config.seed || 1);
    el("button", { type: "submit", class: "fe-run", text: "Run NUTS" }, form);
    var columns = el("div", { class: "fe-panels" }, box);
    this.samplerViews = {};
    [["centered", "Centered"], ["noncentered", "Non-centered"]].forEach(function (pair) {
      var col = el("figure", { class: "fe-panel" }, columns);
      el("figcaption", { text: pair[1] + ": draws (x, v), divergences marked where they started" }, col);
      var scatter = el("canvas", { role: "img", "aria-label": pair[1] + " draws" }, col);
      var hist = el("canvas", { role: "img", "aria-label": pair[1] + " histogram of v against the exact N(0, 3)" }, col);
      var text = el("p", { class: "fe-readout", "aria-live": "polite" }, col);
      self.samplerViews[pair[0]] = { panel: new Panel(scatter, CENTERED), hist: hist, text: text, draws: null, shown: 0 };
    });
  };

  Explorer.prototype.runSampler = function () {
    var self = this;
    var draws = Math.max(1, Math.round(+this.drawsControl.range.value));
    var seed = Math.max(1, Math.round(+this.seedControl.range.value));
    var views = this.samplerViews;
    ["centered", "noncentered"].forEach(function (name) {
      views[name].draws = FE.sample({ parameterization: name, draws: draws, seed: seed, stepSize: self.state.samplerStep });
      views[name].shown = reducedMotion ? draws : 0;
    });
    this.root.dataset.samplerStatus = "running";
    function frame() {
      var done = true;
      ["centered", "noncentered"].forEach(function (name) {
        var view = views[name];
        view.shown = Math.min(view.draws.v.length, view.shown + Math.max(20, Math.ceil(draws / 60)));
        if (view.shown < view.draws.v.length) done = false;
      });
      self.drawSampler();
      if (!done) window.requestAnimationFrame(frame);
      else self.root.dataset.samplerStatus = "done";
    }
    if (reducedMotion) {
      this.drawSampler();
      this.root.dataset.samplerStatus = "done";
    } else window.requestAnimationFrame(frame);
  };

  Explorer.prototype.drawSampler = function () {
    if (!this.samplerViews) return;
    var c = this.colors, exact = this.config.p_below_minus_3;
    var views = this.samplerViews;
    for (var name in views) {
      var view = views[name];
      view.panel.resize();
      view.panel.divergentColor = c.divergent;
      view.panel.drawBase(c);
      var h = sizeCanvas(view.hist, 0.4);
      var n = view.draws ? view.shown : 0;
      var color = name === "centered" ? c.centered : c.offset;
      var below = 0, divergences = 0;
      var bins = new Array(36).fill(0);
      for (var i = 0; i < n; i++) {
        var v = view.draws.v[i], x = view.draws.x[i];
        view.panel.dot(v, x, color, 1.6);
        if (v < -3) below++;
        var b = Math.floor((v - V_MIN) / 0.5);
        if (b >= 0 && b < bins.length) bins[b]++;
      }
      for (var k = 0; k < n; k++) {
        if (view.draws.divergent[k]) {
          divergences++;
          // A transition starts at the previous draw.
          var sv = k > 0 ? view.draws.v[k - 1] : view.draws.v[k];
          var sx = k > 0 ? view.draws.x[k - 1] : view.draws.x[k];
          view.panel.dot(sv, sx, c.divergent, 3);
        }
      }
      this.drawHistogram(h, bins, n, color);
      var parts = n ? ["Draws " + n + ", divergent " + divergences, "P(v < −3) ≈ " + (below / n).toFixed(3)] : ["Press “Run NUTS”"];
      if (exact !== undefined) parts.push("exact " + exact.toFixed(3));
      view.text.textContent = parts.join("; ") + ".";
      this.root.dataset[name === "centered" ? "centeredDivergences" : "noncenteredDivergences"] = String(divergences);
    }
  };

  Explorer.prototype.drawHistogram = function (h, bins, n, color) {
    var ctx = h.ctx, c = this.colors, left = 6, right = h.width - 6, bottom = h.height - 16, top = 4;
    ctx.clearRect(0, 0, h.width, h.height);
    var widthBin = 0.5;
    var peak = 1 / (3 * Math.sqrt(2 * Math.PI));
    var max = peak * 1.15;
    for (var b = 0; b < bins.length; b++) max = Math.max(max, n ? bins[b] / (n * widthBin) : 0);
    function px(v) { return left + ((v - V_MIN) / (V_MAX - V_MIN)) * (right - left); }
    function py(d) { return bottom - (d / max) * (bottom - top); }
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.55;
    for (var i = 0; i < bins.length && n; i++) {
      var d = bins[i] / (n * widthBin);
      ctx.fillRect(px(V_MIN + i * widthBin), py(d), px(V_MIN + (i + 1) * widthBin) - px(V_MIN + i * widthBin) - 0.5, bottom - py(d));
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = c.text;
    ctx.lineWidth = 1.4;
    ctx.beginPath();
    for (var k = 0; k <= 120; k++) {
      var v = V_MIN + (k / 120) * (V_MAX - V_MIN);
      var y = py(peak * Math.exp(-0.5 * v * v / 9));
      if (k === 0) ctx.moveTo(px(v), y); else ctx.lineTo(px(v), y);
    }
    ctx.stroke();
    ctx.fillStyle = c.text;
    ctx.font = "10px sans-serif";
    ctx.textAlign = "center";
    [-9, -6, -3, 0, 3, 6, 9].forEach(function (v) { ctx.fillText(String(v), px(v), h.height - 4); });
    ctx.textAlign = "left";
    ctx.fillText("v: histogram and exact N(0, 3)", left, top + 9);
  };

  function mountAll() {
    var roots = document.querySelectorAll(".funnel-explorer");
    for (var i = 0; i < roots.length; i++) {
      if (!roots[i].dataset.status) new Explorer(roots[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
