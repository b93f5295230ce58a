// Valley Command: a recorded descent, replayed in the browser -- the panels, the controls, the start.
// Follows page_map.js inside the page's one function (see page.py).

// -- the side panels ------------------------------------------------------------------------------
function el(tag, cls, text, colour) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (colour) e.style.color = colour;
  return e;
}

function counts(t, squad) {
  const c = [0, 0, 0, 0], row = S.data.status[t], of = S.data.squadAt[t];
  for (let u = 0; u < S.data.run.units; u++) if (of[u] === squad) c[row.charCodeAt(u) - 48]++;
  return c;
}

function drawLegend(t) {
  const box = $("squads");
  box.textContent = "";
  S.data.squads.forEach((sq, s) => {
    const c = counts(t, s);
    if (!c.some((v) => v > 0)) return;
    const o = ordersOf(s, t), row = el("div", "squad");
    row.title = "optimizer: " + o.optimizer;
    const disc = el("div", "disc"); disc.style.background = sq.colour;
    const settings = "η " + o.lr + (o.symbol ? "   " + o.symbol + " " + o.momentum : "");
    row.append(disc, el("div", "name", o.label, sq.colour), el("div", "orders mono", settings));
    const line = el("div", "counts");
    [1, 0, 2, 3].filter((k) => c[k]).forEach((k, i) => {
      if (i) line.append(" · ");
      line.append(el("span", "", c[k] + " " + STATUS[k], S.theme.status[k]));
    });
    line.append(el("span", "schedule", "   ·   schedule " + (o.schedule || "—")));
    row.append(el("div"), line);
    box.append(row);
  });
}

// the outcome only once the class has seen it happen: from its step (the first arrival), or at the end
function drawOutcome(t) {
  const out = $("outcome"), seen = t >= S.data.outcome.step || t === S.last;
  out.textContent = seen ? S.data.outcome.text : "";
  out.hidden = !seen;
  out.style.color = S.data.outcome.colour;
  const list = $("events");
  list.textContent = "";
  S.data.events.filter((e) => e[0] <= t).slice(-2).reverse().forEach(([step, squad, text]) => {
    const li = el("li");
    li.append(el("b", "", "step " + step), el("span", "", ordersOf(squad, step).label + ": ", S.data.squads[squad].colour),
              text);
    list.append(li);
  });
}

// the classroom's panel: who and when, then x, h, ∇f(x), the settings, each sub-step, the notes
function drawUnitPanel(t) {
  const body = $("unitbody"), u = S.selected;
  body.textContent = "";
  if (u < 0) {
    body.append(el("p", "hint", "Click a unit on the map to see its position, height, gradient and the update " +
                               "it takes at this step."));
    return;
  }
  const squad = S.data.squadAt[t][u], o = ordersOf(squad, t), status = statusOf(t, u);
  const members = S.data.squadAt[t].reduce((m, s, k) => (s === squad ? m.concat(k) : m), []);
  const head = el("div", "head"), disc = el("div", "disc");
  disc.style.background = S.data.squads[squad].colour;
  head.append(disc, el("span", "name", o.label, S.data.squads[squad].colour),
              el("span", "when", "step " + t + " → " + (t + 1)));
  body.append(head);
  const who = el("div", "who", "squad " + (squad + 1) + " · unit " + (members.indexOf(u) + 1) + " of " +
                 members.length + " · ");
  who.append(el("span", "", STATUS[status], S.theme.status[status]));
  body.append(who);
  const e = explanation(u, t);
  if (!e) {
    const [x, y] = xyOf(t, u);
    const minus = (v) => v.toPrecision(4).replace("-", "−");
    body.append(el("div", "given mono", "x ≈ (" + minus(x) + ", " + minus(y) + ")"),
                el("p", "hint", "This page explains the steps of the first " + S.data.explained.per_squad +
                    " units of each squad; record fewer units or steps to have them all."));
    return;
  }
  const [height, given, subs, notes] = e;
  const place = el("div", "given mono", given[0][0] + " = " + given[0][1]), consts = el("div", "given consts mono");
  given.slice(2).forEach((g) => consts.append(el("span", "", g[0] + " = " + g[1])));
  place.append(el("span", "height", "h = f(x) = " + height));
  body.append(place,
              el("div", "given grad mono", given[1][0] + " = " + given[1][1]),
              consts);
  subs.forEach(([what, rule, numbers, result], i) => {
    const last = i === subs.length - 1;
    const sub = el("div", "sub" + (last ? " last" : "") + (last && status !== 0 ? " held" : ""));
    sub.append(el("div", "badge", String(i + 1)));
    const col = el("div");
    const top = el("div", "rule");
    top.append(el("span", "mono", rule), el("span", "what", what));
    col.append(top, el("div", "numbers mono", numbers), el("div", "result mono", result));
    sub.append(col);
    body.append(sub);
  });
  notes.forEach((n) => body.append(el("div", "note", n)));
  if (t === S.last && status === 0) body.append(el("div", "note", "the recording ends here: this step is not in it"));
}

// -- the loss chart ---------------------------------------------------------------------------------
function drawChart(t) {
  const canvas = $("chart"), dpr = window.devicePixelRatio || 1, w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext("2d"), T = S.theme, loss = S.data.loss;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = T.card; ctx.fillRect(0, 0, w, h);
  const value = (v) => (S.log ? Math.log10(Math.max(v, LOG_FLOOR)) : v);
  let lo = Infinity, hi = -Infinity;
  loss.forEach((row) => row.forEach((v) => { if (v !== null) { lo = Math.min(lo, value(v)); hi = Math.max(hi, value(v)); } }));
  if (!S.log) lo = Math.min(0, lo);
  if (!(hi > lo)) hi = lo + 1;
  const plot = { x: 46, y: 8, w: w - 56, h: h - 30 }, steps = Math.max(1, S.data.run.planned);
  const px = (k) => plot.x + plot.w * k / steps, py = (v) => plot.y + plot.h * (1 - (value(v) - lo) / (hi - lo));
  ctx.font = "10px " + T.font; ctx.fillStyle = T.muted; ctx.strokeStyle = T.edge; ctx.lineWidth = 1;
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  const tick = niceStep(hi - lo, 4);
  for (let v = Math.ceil(lo / tick) * tick; v <= hi + 1e-9; v += tick) {
    const y = plot.y + plot.h * (1 - (v - lo) / (hi - lo));
    ctx.beginPath(); ctx.moveTo(plot.x, Math.round(y) + 0.5); ctx.lineTo(plot.x + plot.w, Math.round(y) + 0.5); ctx.stroke();
    ctx.fillText(S.log ? "10^" + Math.round(v) : +v.toPrecision(3) + "", plot.x - 5, y);
  }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  const xt = niceStep(steps, 5);
  for (let k = 0; k <= steps; k += xt) ctx.fillText(String(k), px(k), plot.y + plot.h + 5);
  S.data.squads.forEach((sq, s) => {
    ctx.beginPath();
    let on = false;
    loss.forEach((row, k) => {                       // up to the step shown: the lines do not tell the end
      if (k > t || row[s] === null || row[s] === undefined) { on = false; return; }
      on ? ctx.lineTo(px(k), py(row[s])) : ctx.moveTo(px(k), py(row[s]));
      on = true;
    });
    ctx.strokeStyle = sq.colour; ctx.lineWidth = 2; ctx.stroke();
  });
  ctx.strokeStyle = T.marker; ctx.lineWidth = 1; ctx.setLineDash([3, 3]);     // the step shown
  ctx.beginPath(); ctx.moveTo(Math.round(px(t)) + 0.5, plot.y); ctx.lineTo(Math.round(px(t)) + 0.5, plot.y + plot.h);
  ctx.stroke(); ctx.setLineDash([]);
}

// -- the clock and the controls ----------------------------------------------------------------------
function show(t) {
  S.step = Math.max(0, Math.min(S.last, Math.round(t)));
  const planned = S.data.run.planned;
  $("slider").value = S.step;
  $("steplabel").textContent = "step " + S.step + " / " + S.last;
  $("stepcount").textContent = "step " + S.step + " / " + planned;
  $("progress").style.width = (100 * S.step / Math.max(1, planned)) + "%";
  drawMap(); drawLegend(S.step); drawChart(S.step); drawOutcome(S.step); drawUnitPanel(S.step);
  document.documentElement.dataset.step = S.step;
}

function setPlaying(on) {
  if (on && S.step >= S.last) show(0);
  S.playing = on; S.clock = null; S.carry = 0;
  $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
  if (on) requestAnimationFrame(tick);
}

function tick(now) {
  if (!S.playing) return;
  if (S.clock !== null) {
    S.carry += (now - S.clock) / 1000 * STEPS_PER_SECOND * SPEEDS[S.speed];
    const whole = Math.floor(S.carry);
    if (whole > 0) { S.carry -= whole; show(S.step + whole); }
  }
  S.clock = now;
  if (S.step >= S.last) setPlaying(false); else requestAnimationFrame(tick);
}

function stepBy(k) { setPlaying(false); show(S.step + k); }
function setSpeed(i) { S.speed = Math.max(0, Math.min(SPEEDS.length - 1, i)); $("speed").value = S.speed; }
function select(u) { S.selected = u; show(S.step); }

function pick(event) {
  const r = $("map").getBoundingClientRect(), x = event.clientX - r.left, y = event.clientY - r.top;
  let best = -1, bestD = PICK_RADIUS;
  for (let u = 0; u < S.data.run.units; u++) {
    const p = ballAt(S.step, u), d = Math.hypot(p[0] - x, p[1] - y);
    if (d <= bestD) { best = u; bestD = d; }
  }
  return best;
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key, n = S.data.run.units;
  const act = {
    " ": () => setPlaying(!S.playing), "ArrowRight": () => stepBy(e.shiftKey ? 10 : 1),
    "ArrowLeft": () => stepBy(e.shiftKey ? -10 : -1), "Home": () => stepBy(-S.last), "End": () => stepBy(S.last),
    "+": () => setSpeed(S.speed + 1), "=": () => setSpeed(S.speed + 1), "-": () => setSpeed(S.speed - 1),
    "Tab": () => select(((S.selected < 0 ? -1 : S.selected) + (e.shiftKey ? n - 1 : 1) + n) % n),
    "Escape": () => select(-1), "l": () => toggleLog(), "L": () => toggleLog(),
    "v": () => nextView(), "V": () => nextView(),
  }[k];
  if (act) { e.preventDefault(); act(); }
}

function toggleLog() { S.log = !S.log; $("logscale").classList.toggle("on", S.log); drawChart(S.step); }
function nextView() { if (S.views.length > 1) useView((S.view + 1) % S.views.length); }
function useView(i) {
  if (!(i >= 0 && i < S.views.length)) return;
  S.view = i; layout();
  Array.from($("views").children).forEach((b, k) => b.classList.toggle("on", k === i));
  show(S.step);
}

function wire() {
  const click = (id, f) => $(id).addEventListener("click", (e) => { f(); e.currentTarget.blur(); });
  click("play", () => setPlaying(!S.playing));
  click("first", () => stepBy(-S.last)); click("back", () => stepBy(-1)); click("forward", () => stepBy(1));
  click("end", () => stepBy(S.last));
  click("logscale", toggleLog);
  const slider = $("slider");
  slider.max = S.last;
  slider.addEventListener("input", () => { setPlaying(false); show(+slider.value); });
  SPEEDS.forEach((v, i) => $("speed").append(new Option((v < 1 ? "1/" + (1 / v) : v) + "×", i)));
  setSpeed(S.speed);
  $("speed").addEventListener("change", (e) => { setSpeed(+e.target.value); e.target.blur(); });
  $("map").addEventListener("click", (e) => select(pick(e)));
  $("map").addEventListener("mousemove", (e) => { $("map").style.cursor = pick(e) >= 0 ? "pointer" : "default"; });
  document.addEventListener("keydown", onKey);
  document.addEventListener("keyup", (e) => { if (e.key === " ") e.preventDefault(); });
  if (S.views.length > 1) {
    S.views.forEach((v, i) => {
      const b = el("button", i === S.view ? "on" : "", v.label);
      b.title = "show the " + v.label.toLowerCase() + " (V: the next view)";
      b.addEventListener("click", (e) => { useView(i); e.currentTarget.blur(); });
      $("views").append(b);
    });
    $("viewkey").textContent = " · V next view";
  }
  new ResizeObserver(() => { layout(); show(S.step); }).observe($("mapbox"));
}

function readTheme() {
  const css = getComputedStyle(document.documentElement), v = (name) => css.getPropertyValue("--" + name).trim();
  S.theme = { bg: v("bg"), card: v("card"), edge: v("edge"), muted: v("muted"), accent: v("accent"), frame: v("frame"),
              marker: v("marker"), outline: v("outline"), outlineShadow: v("outline-shadow"), gold: v("gold"),
              labelShadow: v("label-shadow"), step: v("step"), font: getComputedStyle(document.body).fontFamily,
              status: STATUS.map((s) => v("status-" + s)) };
}

// -- the start, and what a test can ask the page ----------------------------------------------------------
async function start() {
  try {
    readTheme();
    S.data = await readData();
    if (S.data.format !== DATA_FORMAT) throw new Error("its data is of format " + S.data.format + ", not " + DATA_FORMAT);
    prepare(S.data);
    S.last = S.data.run.steps;
    S.views = JSON.parse($("descent-views").textContent).views;
    await Promise.all(S.views.map((v) => { v.img = new Image(); v.img.src = v.image; return v.img.decode(); }));
    const lvl = S.data.level;
    $("kicker").textContent = "VALLEY COMMAND  ·  " + lvl.id.toUpperCase();
    $("title").textContent = lvl.title;
    $("lesson").textContent = lvl.lesson;
    layout(); wire(); show(0);
    document.documentElement.dataset.state = "ready";
  } catch (err) {
    $("failure").style.display = "block";
    $("failure").textContent = "This page could not open its recording: " + (err && err.message || err);
    document.documentElement.dataset.state = "failed";
    throw err;
  }
}

window.descentPage = {             // for tests and the curious: read-only views of the page's state
  get step() { return S.step; }, get last() { return S.last; }, get playing() { return S.playing; },
  get selected() { return S.selected; }, get view() { return S.views[S.view].id; },
  get fit() { return { x: S.fit.x, y: S.fit.y, s: S.fit.s }; }, get outcomeStep() { return S.data.outcome.step; },
  show: (t) => show(t), play: () => setPlaying(true), pause: () => setPlaying(false), select: (u) => select(u),
  useView: (id) => useView(S.views.findIndex((v) => v.id === id)),
  hidden: (u) => isHidden(S.step, u),
  unitPoint: (u) => { const r = $("map").getBoundingClientRect(), p = ballAt(S.step, u); return [r.left + p[0], r.top + p[1]]; },
};
start();
