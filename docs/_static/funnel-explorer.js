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
