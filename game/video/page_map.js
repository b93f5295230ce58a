// Valley Command: a recorded descent, replayed in the browser -- the data and the map.
// Plain ES2017, no modules, no network. page.py puts this file and page_ui.js, in that order, into
// one function in the page's only script.
//
// The page reads two blocks written by game/video/page.py: #descent-views (the pictures of the
// terrain, each with the 3x4 matrix that projects a world point (x, y, z) to its pixels, z its
// elevation on the sand table) and #descent-data (the run, gzip + base64: see game/video/page_data.py
// and page_relief.py). It never simulates: every position, elevation, status, loss, explained number
// and hidden unit comes from the simulation and the game's renderer, and is only drawn here.
const DATA_FORMAT = 2;               // the layout of #descent-data this script reads (page_data.FORMAT)
const STEPS_PER_SECOND = 6;          // world steps a second at 1x, the classroom's pace
const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
const TRAIL_STEPS = 64;              // a trail shows a unit's last 64 steps, fading (as in the game)
const TRAIL_SHADES = 8;              // ... in this many steps of opacity
const UNIT_RADIUS = 6;               // [CSS px], as the game's sprites
const OUTLINE = 1.6;                 // [CSS px]
const PICK_RADIUS = 14;              // a click this close to a unit selects it [CSS px]
const ROOM = { left: 46, right: 14, top: 14, bottom: 28 };   // around a map: its coordinates [CSS px]
const STATUS = ["descending", "arrived", "trapped", "diverged"];
const DRAW_ORDER = [2, 3, 1, 0];     // by status: diverged first, then trapped, descending, arrived
const LOG_FLOOR = 1e-8;              // the log chart puts smaller losses on its floor

const $ = (id) => document.getElementById(id);
const S = { data: null, views: [], view: 0, step: 0, last: 0, playing: false, speed: 2, selected: -1,
            log: false, clock: null, carry: 0, fit: null, theme: {} };

// -- reading the data ---------------------------------------------------------------------------
async function readData() {
  if (typeof DecompressionStream === "undefined") {
    throw new Error("This browser is too old for this page (it lacks DecompressionStream): " +
                    "open it in a current Firefox, Chrome, Edge or Safari.");
  }
  const stream = new Blob([bytesOf($("descent-data").textContent.trim())]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text());
}

function bytesOf(base64) {
  const text = atob(base64), bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function prepare(d) {
  const n = d.run.units, p = d.positions;
  d.xy = new Float64Array(p.q.length);
  for (let i = 0; i < p.q.length; i += 2) {
    d.xy[i] = p.origin[0] + p.q[i] * p.scale[0];
    d.xy[i + 1] = p.origin[1] + p.q[i + 1] * p.scale[1];
  }
  const e = d.elevations;              // every unit's elevation z on the sand table, per step [world]
  d.z = Float64Array.from(e.q, (q) => q * e.scale);
  d.hiddenBits = {};                   // per view: step rows of ceil(n / 8) bytes, unit u in bit u % 8 of byte u / 8
  for (const id of Object.keys(d.hidden)) d.hiddenBits[id] = bytesOf(d.hidden[id]);
  d.rowBytes = (n + 7) >> 3;
  d.squadAt = [];                    // the squad of every unit, per step (shared between changes)
  let k = 0;
  for (let t = 0; t <= d.run.steps; t++) {
    while (k + 1 < d.membership.length && d.membership[k + 1][0] <= t) k++;
    if (!d.membership[k].digits) d.membership[k].digits = Array.from(d.membership[k][1], Number);
    d.squadAt.push(d.membership[k].digits);
  }
  d.arrival = new Array(n).fill(-1);  // the step each unit arrived on
  d.status.forEach((row, t) => { for (let u = 0; u < n; u++) if (row[u] === "1" && d.arrival[u] < 0) d.arrival[u] = t; });
  d.explainedRow = new Map(d.explained.units.map((u, i) => [u, i]));
}

const xyOf = (t, u) => { const i = (t * S.data.run.units + u) * 2; return [S.data.xy[i], S.data.xy[i + 1]]; };
const placeOf = (t, u) => [...xyOf(t, u), S.data.z[t * S.data.run.units + u]];   // (x, y, z) [world]
function isHidden(t, u) {            // does the ground hide unit u at step t, in the view shown?
  const bits = S.data.hiddenBits[S.views[S.view].id];
  return bits !== undefined && ((bits[t * S.data.rowBytes + (u >> 3)] >> (u & 7)) & 1) === 1;
}
const statusOf = (t, u) => S.data.status[t].charCodeAt(u) - 48;
function ordersOf(squad, t) {
  const list = S.data.squads[squad].orders;
  let o = list[0];
  for (const e of list) if (e[0] <= t) o = e;
  return { label: o[1], optimizer: o[2], lr: o[3], symbol: o[4], momentum: o[5], schedule: o[6] };
}

// the record of a unit at a step: [height, given, sub-steps, notes] (see page_data.pack)
function explanation(u, t) {
  const row = S.data.explainedRow.get(u);
  if (row === undefined) return null;
  const parts = S.data.explained.records[row][t].split(" ");
  const numbers = parts.slice(1);
  const fill = (x) => Array.isArray(x) ? x.map(fill) : x.replace(/\{(\d+)\}/g, (_, k) => numbers[+k]);
  return fill(S.data.explained.templates[+parts[0]]);
}

// -- projection: world (x, y, z) -> the view's picture [px] -> the canvas [CSS px] --------------
function toPicture(view, x, y, z) {
  const m = view.projection, w = m[2][0] * x + m[2][1] * y + m[2][2] * z + m[2][3];
  return [(m[0][0] * x + m[0][1] * y + m[0][2] * z + m[0][3]) / w,
          (m[1][0] * x + m[1][1] * y + m[1][2] * z + m[1][3]) / w];
}
function toCanvas(x, y, z) {
  const p = toPicture(S.views[S.view], x, y, z || 0), f = S.fit;
  return [f.x + p[0] * f.s, f.y + p[1] * f.s];
}
// where a unit's ball shows: on the sand table its centre stands the view's lift above its ground point
function ballAt(t, u) {
  const p = toCanvas(...placeOf(t, u));
  p[1] -= (S.views[S.view].lift || 0) * S.fit.s;
  return p;
}

// -- the map --------------------------------------------------------------------------------------
function layout() {
  const canvas = $("map"), box = $("mapbox"), dpr = window.devicePixelRatio || 1;
  const w = box.clientWidth, h = box.clientHeight, view = S.views[S.view];
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  const room = view.kind === "plan" ? ROOM : { left: 8, right: 8, top: 8, bottom: 8 };
  const s = Math.min((w - room.left - room.right) / view.size[0], (h - room.top - room.bottom) / view.size[1]);
  S.fit = { s: s, x: room.left + (w - room.left - room.right - s * view.size[0]) / 2,
            y: room.top + (h - room.top - room.bottom - s * view.size[1]) / 2, w: w, h: h, dpr: dpr };
}

function drawMap() {
  const ctx = $("map").getContext("2d"), f = S.fit, view = S.views[S.view], T = S.theme, t = S.step;
  ctx.setTransform(f.dpr, 0, 0, f.dpr, 0, 0);
  ctx.fillStyle = T.bg; ctx.fillRect(0, 0, f.w, f.h);
  const pic = [f.x, f.y, view.size[0] * f.s, view.size[1] * f.s];
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(view.img, pic[0], pic[1], pic[2], pic[3]);
  if (view.kind === "plan") drawFrame(ctx, pic);
  drawSpawn(ctx);
  ctx.save();
  ctx.beginPath(); ctx.rect(pic[0], pic[1], pic[2], pic[3]); ctx.clip();   // trails stay on the map
  drawTrails(ctx, t);
  if (S.selected >= 0) drawSelectedPath(ctx, S.selected, t);
  ctx.restore();
  drawUnits(ctx, t);
  if (S.data.arrival.some((a) => a >= 0 && a <= t)) drawFlag(ctx, t);
  if (t === S.last) drawMinima(ctx);
}

function niceStep(span, n) {
  const raw = span / n, base = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * base >= raw) return m * base;
  return 10 * base;
}
const tickText = (v, step) => (Math.abs(v) < step / 1e6 ? 0 : v).toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));

function drawFrame(ctx, pic) {
  const T = S.theme, [[x0, x1], [y0, y1]] = S.data.level.bounds;
  ctx.strokeStyle = T.frame; ctx.lineWidth = 1;
  ctx.strokeRect(pic[0] - 0.5, pic[1] - 0.5, pic[2] + 1, pic[3] + 1);
  ctx.fillStyle = T.frame; ctx.font = "11px " + T.font;
  const step = niceStep(Math.max(x1 - x0, y1 - y0), Math.max(3, Math.round(Math.max(pic[2], pic[3]) / 90)));
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (let v = Math.ceil(x0 / step) * step; v <= x1 + 1e-9; v += step) {
    const [cx] = toCanvas(v, y0);
    ctx.fillRect(Math.round(cx), pic[1] + pic[3], 1, 5);
    ctx.fillText(tickText(v, step), cx, pic[1] + pic[3] + 8);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (let v = Math.ceil(y0 / step) * step; v <= y1 + 1e-9; v += step) {
    const [, cy] = toCanvas(x0, v);
    ctx.fillRect(pic[0] - 5, Math.round(cy), 5, 1);
    ctx.fillText(tickText(v, step), pic[0] - 8, cy);
  }
}

function drawSpawn(ctx) {             // a dashed ring lying on the ground, its points' elevations given
  const [sx, sy, r] = S.data.level.spawn, zs = S.data.elevations.spawn, T = S.theme;
  const ring = zs.map((z, k) => { const a = 2 * Math.PI * k / zs.length; return toCanvas(sx + r * Math.cos(a), sy + r * Math.sin(a), z); });
  ctx.save();
  ctx.setLineDash([5, 4]); ctx.lineWidth = 1.5; ctx.strokeStyle = T.marker; ctx.globalAlpha = 0.85;
  ctx.beginPath(); ring.forEach((p, k) => (k ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1]))); ctx.closePath(); ctx.stroke();
  ctx.restore();
  const top = ring.reduce((a, b) => (b[1] < a[1] ? b : a));
  label(ctx, "SPAWN", top[0], top[1] - 8, T.marker, "bold 10px", "center");
}

function label(ctx, text, x, y, colour, font, align) {
  ctx.font = font + " " + S.theme.font; ctx.textAlign = align || "left"; ctx.textBaseline = "middle";
  ctx.fillStyle = S.theme.labelShadow;
  for (const [dx, dy] of [[1, 1], [-1, 1], [1, -1], [-1, -1], [0, 1.5]]) ctx.fillText(text, x + dx, y + dy);
  ctx.fillStyle = colour; ctx.fillText(text, x, y);
}

function drawTrails(ctx, t) {
  // segment k -> k + 1 is (t - k) steps old; the oldest shade (ages 57..64) is faintest
  const n = S.data.run.units, thick = n <= 200, per = TRAIL_STEPS / TRAIL_SHADES;
  ctx.lineCap = "round"; ctx.lineJoin = "round";
  for (let pass = thick ? 0 : 1; pass < 2; pass++) {                // 0: the dark shadow under thick trails
    for (let shade = 0; shade < TRAIL_SHADES; shade++) {
      const oldest = TRAIL_STEPS - shade * per, youngest = oldest - per + 1, alpha = 0.82 * (shade + 1) / TRAIL_SHADES;
      for (let s = 0; s < S.data.squads.length; s++) {
        ctx.beginPath();
        for (let u = 0; u < n; u++) {
          if (S.data.squadAt[t][u] !== s) continue;
          for (let k = Math.max(0, t - oldest); k <= t - youngest; k++) {
            const a = toCanvas(...placeOf(k, u)), b = toCanvas(...placeOf(k + 1, u));
            ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]);
          }
        }
        ctx.globalAlpha = pass === 0 ? alpha * 0.6 : alpha;
        ctx.strokeStyle = pass === 0 ? S.theme.outline : S.data.squads[s].colour;
        ctx.lineWidth = pass === 0 ? 3.5 : (thick ? 2 : 1);
        ctx.stroke();
      }
    }
  }
  ctx.globalAlpha = 1;
}

function drawSelectedPath(ctx, u, t) {
  const colour = S.data.squads[S.data.squadAt[t][u]].colour;
  ctx.beginPath();
  for (let k = 0; k <= t; k++) { const p = toCanvas(...placeOf(k, u)); k ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1]); }
  ctx.strokeStyle = S.theme.outline; ctx.lineWidth = 5; ctx.globalAlpha = 0.7; ctx.stroke();
  ctx.strokeStyle = colour; ctx.lineWidth = 2.5; ctx.globalAlpha = 1; ctx.stroke();
  if (t < S.last && statusOf(t, u) === 0) {          // the step it takes: an arrow to where it goes
    const a = ballAt(t, u), b = ballAt(t + 1, u);
    arrow(ctx, a, b, S.theme.step);
    ctx.beginPath(); ctx.arc(b[0], b[1], UNIT_RADIUS + 3, 0, 2 * Math.PI);
    ctx.strokeStyle = S.theme.step; ctx.lineWidth = 2; ctx.stroke();
  }
}

function arrow(ctx, a, b, colour) {
  const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy);
  if (len < 3) return;
  const ux = dx / len, uy = dy / len, head = Math.min(10, len * 0.45);
  for (const [c, w] of [[S.theme.outline, 5], [colour, 2.5]]) {
    ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0] - ux * head * 0.6, b[1] - uy * head * 0.6);
    ctx.strokeStyle = c; ctx.lineWidth = w; ctx.stroke();
    ctx.beginPath(); ctx.moveTo(b[0], b[1]);
    ctx.lineTo(b[0] - ux * head - uy * head * 0.5, b[1] - uy * head + ux * head * 0.5);
    ctx.lineTo(b[0] - ux * head + uy * head * 0.5, b[1] - uy * head - ux * head * 0.5); ctx.closePath();
    ctx.fillStyle = c; ctx.fill();
    if (c === S.theme.outline) { ctx.lineWidth = 2; ctx.stroke(); }
  }
}

function mix(hex, other, k) {
  const a = [1, 3, 5].map((i) => parseInt(hex.substr(i, 2), 16));
  return "rgb(" + a.map((v, i) => Math.round(v + (other[i] - v) * k)).join(",") + ")";
}

function ball(ctx, x, y, colour, shine) {
  const T = S.theme, r = UNIT_RADIUS;
  circle(ctx, x + 1.4, y + 1.8, r + OUTLINE + 0.6, T.outlineShadow);
  circle(ctx, x, y, r + OUTLINE, T.outline);
  circle(ctx, x, y, r, colour);
  if (shine) circle(ctx, x - 2.6, y - 2.6, 1.5, mix(colour, [255, 255, 255], 0.55));
}
function circle(ctx, x, y, r, fill) { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fillStyle = fill; ctx.fill(); }
function ring(ctx, x, y, r, colour, width) {
  ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.stroke();
}

function drawUnit(ctx, x, y, status, colour) {
  const T = S.theme;
  if (status === 1) { circle(ctx, x, y, 9.6, T.outline); ring(ctx, x, y, 8.4, T.gold, 1.6); ball(ctx, x, y, colour, true); }
  else if (status === 2) {
    ball(ctx, x, y, mix(colour, [70, 76, 84], 0.45), false);
    for (const [c, w] of [[T.outline, 3.4], [T.marker, 1.6]]) {
      ring(ctx, x, y, 9, c, w);
      const a = 9 * Math.SQRT1_2;
      ctx.beginPath(); ctx.moveTo(x - a, y + a); ctx.lineTo(x + a, y - a); ctx.stroke();
    }
  } else if (status === 3) {
    for (const [c, w] of [[T.outline, 4.2], [colour, 2]]) {
      ctx.beginPath(); ctx.moveTo(x - 4.2, y - 4.2); ctx.lineTo(x + 4.2, y + 4.2);
      ctx.moveTo(x - 4.2, y + 4.2); ctx.lineTo(x + 4.2, y - 4.2);
      ctx.strokeStyle = c; ctx.lineWidth = w; ctx.lineCap = "round"; ctx.stroke();
    }
  } else ball(ctx, x, y, colour, true);
}

function drawUnits(ctx, t) {
  const n = S.data.run.units, view = S.views[S.view], order = [];
  for (let u = 0; u < n; u++) order.push(u);
  const band = new Array(n).fill(0);
  if (view.depth) {                  // the sand table: far balls first, by bands a ball deep (within one, as the map)
    const d = view.depth, deep = 2 * UNIT_RADIUS / S.fit.s;
    for (const u of order) { const [x, y, z] = placeOf(t, u); band[u] = -Math.floor((d[0] * x + d[1] * y + d[2] * z + d[3]) / deep); }
  }
  order.sort((a, b) => band[a] - band[b] || DRAW_ORDER[statusOf(t, a)] - DRAW_ORDER[statusOf(t, b)] || a - b);
  const on = (p) => p[0] >= -20 && p[1] >= -20 && p[0] <= S.fit.w + 20 && p[1] <= S.fit.h + 20;
  if (view.shadow) {                 // soft shadows on the ground under the balls the ground does not hide
    for (const u of order) {
      const p = toCanvas(...placeOf(t, u));
      if (on(p) && !isHidden(t, u) && statusOf(t, u) !== 3) shadow(ctx, p[0], p[1], view.shadow);
    }
  }
  if (S.selected >= 0) {
    const [x, y] = ballAt(t, S.selected);
    ring(ctx, x, y, 11.5, S.theme.outline, 3.6); ring(ctx, x, y, 10.6, S.theme.marker, 1.8);
  }
  for (const u of order) {
    const [x, y] = ballAt(t, u), colour = S.data.squads[S.data.squadAt[t][u]].colour;
    if (!on([x, y])) continue;
    if (isHidden(t, u)) ghost(ctx, x, y, colour, view.ghost_alpha);
    else drawUnit(ctx, x, y, statusOf(t, u), colour);
  }
}

function shadow(ctx, x, y, sh) {     // the game's shadow: four ellipses, each a little smaller and darker
  const s = S.fit.s, [w, h] = sh.size;
  x += sh.offset[0] * s; y += sh.offset[1] * s;
  ctx.fillStyle = "#000";
  for (let k = 0; k < 4; k++) {
    ctx.globalAlpha = sh.alpha * (k + 1) / 8 + 10 / 255;
    ctx.beginPath(); ctx.ellipse(x, y, (w - 1.5 * (3 - k)) * s / 2, (h - 0.8 * (3 - k)) * s / 2, 0, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.globalAlpha = 1;
}

function ghost(ctx, x, y, colour, alpha) {   // a unit behind a hill: a faint ring in its squad's colour
  ctx.globalAlpha = alpha / 2; ring(ctx, x, y, UNIT_RADIUS + 2, "#000", 2.6);
  ctx.globalAlpha = alpha; ring(ctx, x, y, UNIT_RADIUS + 1, colour, 1.6);
  ctx.globalAlpha = 1;
}

function firstArrival(t) {
  let first = -1;
  S.data.arrival.forEach((a, u) => { if (a >= 0 && a <= t && (first < 0 || a < S.data.arrival[first])) first = u; });
  return first;
}

function drawFlag(ctx, t) {
  const u = firstArrival(t), step = S.data.arrival[u], squad = S.data.squadAt[step][u], T = S.theme;
  const [x, y] = toCanvas(...S.data.level.global_min, S.data.elevations.global_min);
  ctx.fillStyle = T.outline; ctx.beginPath(); ctx.ellipse(x, y, 6, 3, 0, 0, 2 * Math.PI); ctx.fill();
  ctx.lineCap = "butt";
  for (const [c, w] of [[T.outline, 4], [T.marker, 2]]) {
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x, y - 40); ctx.strokeStyle = c; ctx.lineWidth = w; ctx.stroke();
  }
  ctx.beginPath(); ctx.moveTo(x + 1, y - 40); ctx.lineTo(x + 21, y - 34); ctx.lineTo(x + 1, y - 28); ctx.closePath();
  ctx.fillStyle = S.data.squads[squad].colour; ctx.fill(); ctx.strokeStyle = T.outline; ctx.lineWidth = 1; ctx.stroke();
  const who = ordersOf(squad, step).label.toUpperCase() + " ARRIVED  ·  step " + step;
  ctx.font = "bold 13px " + T.font;
  const right = x + 26 + ctx.measureText(who).width < S.fit.w - 8;
  label(ctx, who, right ? x + 26 : x - 8, y - 34, S.data.squads[squad].colour, "bold 13px", right ? "left" : "right");
}

function drawMinima(ctx) {
  const T = S.theme, [gx, gy] = S.data.level.global_min, z = S.data.elevations;
  for (const [k, [mx, my]] of S.data.level.minima.entries()) {
    if (Math.abs(mx - gx) + Math.abs(my - gy) <= 1e-9) continue;
    const [x, y] = toCanvas(mx, my, z.minima[k]);
    ring(ctx, x, y, 5.5, T.outline, 3); ring(ctx, x, y, 4.5, T.marker, 2);
  }
  const [x, y] = toCanvas(gx, gy, z.global_min);
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 ? 5 : 11, a = -Math.PI / 2 + k * Math.PI / 5;
    ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
  }
  ctx.closePath(); ctx.fillStyle = T.gold; ctx.fill(); ctx.strokeStyle = T.outline; ctx.lineWidth = 2; ctx.stroke();
  label(ctx, "global minimum  h = " + S.data.level.global_min_height, x, y + 22, T.gold, "bold 13px", "center");
}
