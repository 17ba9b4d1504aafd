/*
 * tstrader runner dashboard. Plain browser JavaScript, no build step, served by the runner with Plotly from the
 * installed package. The bearer token is asked for once and kept in sessionStorage (this tab only); every
 * request, including the live event stream (read with fetch, not EventSource, so the token stays in a header),
 * sends it as `Authorization: Bearer`. Updates are driven by the runner's events; nothing polls.
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'tstrader.token';
  var REFRESH_MS = 1000; // at most one reload of a view per second, however fast the replay runs
  var TABS = ['portfolio', 'signals', 'orders', 'performance', 'risk', 'logs'];
  var DASH = '–'; // as in the HTML report
  var OPEN = { new: 1, accepted: 1, partially_filled: 1, pending_submit: 1, unknown: 1 };

  var token = null;
  var streamAbort = null;
  var retryMs = 1000;
  var active = 'portfolio';
  var last = {}; // the latest API answers by view
  var status = null;

  // ------------------------------------------------------------------ helpers

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === null || attrs[k] === undefined) continue;
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function num(x) { return x === null || x === undefined || x === '' ? null : Number(x); }

  var moneyFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function money(x) { var n = num(x); return n === null || !isFinite(n) ? DASH : moneyFmt.format(n); }
  function signedMoney(x) { var n = num(x); return n === null || !isFinite(n) ? DASH : (n > 0 ? '+' : '') + moneyFmt.format(n); }
  // "-0.00" (a tiny loss rounded away) shows as "0.00", as in the report (lib/report/format.ts)
  function noNegZero(s) { return s.charAt(0) === '-' && Number(s) === 0 ? s.slice(1) : s; }
  function pct(x, dp) { var n = num(x); return n === null || !isFinite(n) ? DASH : noNegZero((n * 100).toFixed(dp === undefined ? 2 : dp)) + '%'; }
  function signedPct(x, dp) { var n = num(x); return n === null || !isFinite(n) ? DASH : (n > 0 ? '+' : '') + pct(n, dp); }
  function fixed(x, dp) { var n = num(x); if (x === 'Infinity') return '∞'; return n === null || !isFinite(n) ? DASH : noNegZero(n.toFixed(dp === undefined ? 2 : dp)); }
  function int(x) { var n = num(x); return n === null || !isFinite(n) ? DASH : moneyFmt.format(Math.round(n)).replace(/\.00$/, ''); }
  function qty(x) { var n = num(x); return n === null ? DASH : String(x); }
  function tone(x) { var n = num(x); return n === null || n === 0 ? '' : n > 0 ? 'pos' : 'neg'; }
  /** Epoch ms or an ISO string -> "2021-03-04 14:30" (UTC; daily bars show the date only). */
  function when(t) {
    if (t === null || t === undefined || t === '') return DASH;
    var d = typeof t === 'number' ? new Date(t) : new Date(String(t));
    if (isNaN(d.getTime())) return String(t);
    var iso = d.toISOString();
    return iso.slice(11, 19) === '00:00:00' ? iso.slice(0, 10) : iso.slice(0, 10) + ' ' + iso.slice(11, 16);
  }

  function card(label, value, cls, sub, testid) {
    return el('div', { class: 'card' }, [
      el('div', { class: 'label', text: label }),
      el('div', { class: 'value ' + (cls || ''), text: value, 'data-testid': testid || null }),
      sub ? el('div', { class: 'sub', text: sub }) : null,
    ]);
  }

  function pill(text, cls) { return el('span', { class: 'pill ' + (cls || String(text).toLowerCase()), text: text }); }

  /** columns: [{label, value(row) -> string|Node, num?, cls?}] */
  function table(columns, rows, opts) {
    opts = opts || {};
    if (rows.length === 0) return el('div', { class: 'empty', text: opts.empty || 'Nothing yet.' });
    var head = el('tr', null, columns.map(function (c) { return el('th', { class: ((c.num ? 'num ' : '') + (c.sm === false ? 'hide-sm' : '')).trim() || null, text: c.label }); }));
    var body = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr', opts.rowAttrs ? opts.rowAttrs(r) : null, columns.map(function (c) {
        var v = c.value(r);
        var cls = [c.num ? 'num' : '', c.sm === false ? 'hide-sm' : '', typeof c.cls === 'function' ? c.cls(r) : c.cls || ''].join(' ').trim();
        return el('td', { class: cls || null }, [v === null || v === undefined ? DASH : v instanceof Node ? v : String(v)]);
      }));
      body.appendChild(tr);
      if (opts.after) opts.after(r).forEach(function (x) { body.appendChild(x); });
    });
    return el('table', { 'data-testid': opts.testid || null }, [el('thead', null, [head]), body]);
  }

  function put(id, node) { var c = $(id); c.replaceChildren(node); }

  function toast(text, kind) {
    var t = el('div', { class: 'toast ' + (kind || ''), text: text });
    var box = $('toasts');
    box.appendChild(t);
    while (box.children.length > 3) box.firstChild.remove();
    setTimeout(function () { t.remove(); }, 5000);
  }

  // ------------------------------------------------------------------ API

  function AuthError(message) { this.message = message; }
  function HttpError(message) { this.message = message; }

  function api(path, opts) {
    opts = opts || {};
    var headers = { Authorization: 'Bearer ' + token };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: opts.method || 'GET', headers: headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) throw new AuthError('The runner refused this token (HTTP 401). Use the value of TSTRADER_API_TOKEN, or the generated token in state/api-token.');
        if (res.status === 429) return res.json().then(function (b) { throw new HttpError((b && b.error) || 'Too many failed attempts (HTTP 429); wait a minute.'); }, function () { throw new HttpError('Too many failed attempts (HTTP 429); wait a minute.'); });
        var ct = res.headers.get('content-type') || '';
        return (ct.indexOf('json') >= 0 ? res.json() : res.text()).then(function (body) {
          if (!res.ok && !opts.allowError) {
            var msg = body && body.error ? body.error + (body.reasons && body.reasons.length ? ': ' + body.reasons.join('; ') : '') : 'HTTP ' + res.status;
            throw new HttpError(msg);
          }
          return opts.allowError ? { status: res.status, body: body } : body;
        });
      });
  }

  function onFailure(e) {
    if (e instanceof AuthError) return signOut(e.message);
    toast(String(e && e.message ? e.message : e), 'bad');
  }

  // ------------------------------------------------------------------ login

  function showLogin(message) {
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('login-token').value = '';
    $('login-token').focus();
  }

  function signOut(message) {
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage blocked */ }
    token = null;
    if (streamAbort) streamAbort.abort();
    streamAbort = null;
    setConn(false);
    showLogin(message);
  }

  function connect(candidate) {
    token = candidate;
    $('login-submit').disabled = true;
    return api('/api/status')
      .then(function (s) {
        try { sessionStorage.setItem(TOKEN_KEY, candidate); } catch (e) { /* storage blocked: keep it in memory */ }
        $('login').hidden = true;
        $('login-error').textContent = '';
        applyStatus(s);
        openStream();
        TABS.forEach(function (t) { dirty[t] = true; });
        refresh(active, true);
      })
      .catch(function (e) {
        token = null;
        showLogin(e instanceof AuthError || e instanceof HttpError ? e.message : 'Cannot reach the runner at ' + location.origin + ': ' + (e && e.message ? e.message : e));
      })
      .finally(function () { $('login-submit').disabled = false; });
  }

  // ------------------------------------------------------------------ header

  function applyStatus(s) {
    status = s;
    $('hdr-strategy').textContent = s.strategy;
    if (s.model) $('hdr-strategy').title = s.model;
    $('hdr-equity').textContent = money(s.equity);
    $('hdr-bar').textContent = when(s.lastBarTime);
    var mode = $('badge-mode');
    mode.textContent = s.mode + (s.running ? ' · running' : '');
    mode.className = 'badge info';
    var broker = $('badge-broker');
    broker.textContent = s.broker;
    broker.className = 'badge ' + (s.broker === 'paper' ? 'info' : 'bad');
    var k = $('badge-kill');
    k.textContent = s.killSwitch.active ? 'kill switch: ' + (s.killSwitch.kind || 'on') : 'trading';
    k.className = 'badge ' + (s.killSwitch.active ? 'bad' : 'ok');
    k.setAttribute('data-testid', 'kill-badge');
  }

  function applyDay(risk) {
    var t = risk.today;
    var d = $('hdr-day');
    d.textContent = t.pnl === null ? DASH : signedMoney(t.pnl) + ' (' + signedPct(t.pnlFraction) + ')';
    d.className = tone(t.pnl);
  }

  function setConn(live) {
    var c = $('badge-conn');
    c.textContent = live ? 'live' : 'offline';
    c.className = 'badge conn ' + (live ? 'live ok' : 'bad');
  }

  // ------------------------------------------------------------------ live events

  function openStream() {
    if (streamAbort) streamAbort.abort();
    var ctrl = new AbortController();
    streamAbort = ctrl;
    fetch('/api/events', { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' }, signal: ctrl.signal, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) throw new AuthError('The runner refused this token (HTTP 401).');
        if (!res.ok || !res.body) throw new Error('event stream: HTTP ' + res.status);
        setConn(true);
        retryMs = 1000;
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buf = '';
        function pump() {
          return reader.read().then(function (r) {
            if (r.done) throw new Error('event stream closed');
            buf += decoder.decode(r.value, { stream: true });
            var i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              var block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              var type = 'message';
              var data = [];
              block.split('\n').forEach(function (line) {
                if (line.indexOf('event:') === 0) type = line.slice(6).trim();
                else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
              });
              if (data.length > 0) {
                var payload;
                try { payload = JSON.parse(data.join('\n')); } catch (e) { payload = null; }
                onEvent(type, payload);
              }
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function (e) {
        if (ctrl.signal.aborted) return;
        setConn(false);
        if (e instanceof AuthError) return signOut(e.message);
        setTimeout(function () { if (token && streamAbort === ctrl) openStream(); }, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      });
  }

  function onEvent(type, data) {
    if (!data) return;
    if (type === 'status') {
      // The header is reloaded with the views (not patched from the event) so its equity, day P&L and last bar
      // are one snapshot, the same one the Portfolio tab shows.
      if (data.mode) applyStatus(data);
      mark('portfolio'); mark('performance'); mark('header');
    } else if (type === 'fill') {
      addFill(data, true);
      toast('Filled ' + data.side + ' ' + data.qty + ' ' + data.symbol + ' @ ' + money(data.price), 'good');
      mark('orders'); mark('portfolio');
    } else if (type === 'order') mark('orders');
    else if (type === 'signal') mark('signals');
    else if (type === 'risk') mark('risk');
    mark('logs');
  }

  // ------------------------------------------------------------------ refresh scheduling (event-driven, throttled)

  var dirty = {};
  var lastLoad = {};
  var timers = {};

  function mark(view) {
    if (view === 'header' && active === 'portfolio') view = 'portfolio'; // its loader refreshes the header too
    dirty[view] = true;
    if (view === 'header' || view === active) schedule(view);
  }

  function schedule(view) {
    if (timers[view]) return;
    var wait = Math.max(0, REFRESH_MS - (Date.now() - (lastLoad[view] || 0)));
    timers[view] = setTimeout(function () { timers[view] = null; refresh(view); }, wait);
  }

  function refresh(view, force) {
    if (!token) return;
    if (!force && !dirty[view]) return;
    dirty[view] = false;
    lastLoad[view] = Date.now();
    var p = (LOADERS[view] || function () { return Promise.resolve(); })();
    p.catch(onFailure);
  }

  var LOADERS = {
    header: function () {
      return Promise.all([api('/api/status'), api('/api/risk?limit=1')]).then(function (r) { applyStatus(r[0]); applyDay(r[1]); });
    },
    portfolio: function () {
      return Promise.all([api('/api/portfolio'), api('/api/risk?limit=1'), api('/api/performance?points=300'), api('/api/status')]).then(function (r) {
        last.portfolio = r[0]; last.risk1 = r[1]; last.performance = r[2];
        applyStatus(r[3]);
        renderPortfolio(r[0], r[1], r[2]);
        applyDay(r[1]);
      });
    },
    signals: function () {
      return api('/api/signals?limit=500').then(function (s) { last.signals = s; renderSignals(s); });
    },
    orders: function () {
      return Promise.all([api('/api/orders?limit=500'), api('/api/fills?limit=200')]).then(function (r) {
        last.orders = r[0]; last.fills = r[1];
        renderOrders(r[0]);
        renderFills(r[1]);
      });
    },
    performance: function () {
      return api('/api/performance?points=1500').then(function (p) { last.performance = p; renderPerformance(p); });
    },
    risk: function () {
      return Promise.all([api('/api/risk?limit=200'), api('/api/config'), api('/api/status')]).then(function (r) {
        last.risk = r[0]; last.config = r[1];
        applyStatus(r[2]);
        renderRisk(r[0], r[1], r[2]);
        applyDay(r[0]);
      });
    },
    logs: function () {
      var level = $('log-level').value;
      return api('/api/logs?limit=500&level=' + encodeURIComponent(level)).then(function (l) { last.logs = l; renderLogs(l); });
    },
  };

  // ------------------------------------------------------------------ charts

  var PLOT_CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  function layout(extra) {
    var base = {
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: { color: '#c7d3e6', size: 12, family: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif' },
      margin: { l: 64, r: 14, t: 10, b: 36 },
      xaxis: { gridcolor: '#1c2a45', linecolor: '#22304d', zeroline: false },
      yaxis: { gridcolor: '#1c2a45', linecolor: '#22304d', zeroline: false },
      legend: { orientation: 'h', x: 0, y: 1.1 },
      hovermode: 'x unified',
    };
    for (var k in extra) base[k] = typeof extra[k] === 'object' && base[k] && !Array.isArray(extra[k]) ? Object.assign({}, base[k], extra[k]) : extra[k];
    return base;
  }
  function plot(id, traces, lay) {
    if (!window.Plotly) return;
    var node = $(id);
    if (node.offsetParent === null) return; // hidden tab: drawn when shown
    window.Plotly.react(node, traces, layout(lay || {}), PLOT_CONFIG);
  }

  // ------------------------------------------------------------------ Portfolio

  function renderPortfolio(pf, risk, perf) {
    var eq = num(pf.equity);
    var init = num(pf.initialCash);
    var gross = pf.positions.reduce(function (a, p) { return a + Math.abs(num(p.marketValue) || 0); }, 0);
    put('pf-cards', frag([
      card('Equity', money(pf.equity), '', 'since start ' + signedPct(init ? eq / init - 1 : null), 'pf-equity'),
      card('Cash', money(pf.cash), '', pct(eq ? num(pf.cash) / eq : null, 1) + ' of equity', 'pf-cash'),
      card('Unrealised P&L', signedMoney(pf.unrealized), tone(pf.unrealized), pf.positions.length + ' open position' + (pf.positions.length === 1 ? '' : 's'), 'pf-unrealized'),
      card('Realised P&L', signedMoney(pf.realized), tone(pf.realized), 'fees ' + money(pf.fees), 'pf-realized'),
      card("Today's P&L", signedMoney(risk.today.pnl), tone(risk.today.pnl), signedPct(risk.today.pnlFraction) + ' · ' + (risk.today.date || 'no bar yet'), 'pf-day'),
      card('Exposure', pct(eq ? gross / eq : null, 1), '', risk.limits.maxGrossExposure === null ? 'no cap' : 'limit ' + pct(risk.limits.maxGrossExposure, 0) + ' of equity', 'pf-exposure'),
    ]));
    put('pf-daily', dailyMeter(risk));
    var rows = pf.positions.slice().sort(function (a, b) { return Math.abs(num(b.marketValue) || 0) - Math.abs(num(a.marketValue) || 0); });
    put('pf-positions', table([
      { label: 'Symbol', value: function (p) { return el('b', { text: p.symbol }); } },
      { label: 'Qty', num: true, value: function (p) { return qty(p.qty); } },
      { label: 'Avg price', num: true, sm: false, value: function (p) { return money(p.avgPrice); } },
      { label: 'Mark', num: true, value: function (p) { return money(p.mark); } },
      { label: 'Value', num: true, value: function (p) { return money(p.marketValue); } },
      { label: 'Weight', num: true, sm: false, value: function (p) { return pct(eq ? num(p.marketValue) / eq : null, 1); } },
      { label: 'Unrealised', num: true, cls: function (p) { return tone(p.unrealized); }, value: function (p) { return signedMoney(p.unrealized); } },
      { label: 'Return', num: true, cls: function (p) { return tone(p.unrealized); }, value: function (p) { var b = num(p.avgPrice) * num(p.qty); return signedPct(b ? num(p.unrealized) / Math.abs(b) : null); } },
    ], rows, { empty: 'No open positions.', testid: 'positions', rowAttrs: function (p) { return { 'data-symbol': p.symbol }; } }));
    var pts = perf.equity;
    var ys = pts.map(function (p) { return p.value; });
    var lo = Math.min.apply(null, ys.concat([eq])), hi = Math.max.apply(null, ys.concat([eq])), pad = Math.max((hi - lo) * 0.08, hi * 0.002);
    plot('chart-pf-equity', [{ x: pts.map(function (p) { return p.time; }), y: ys, type: 'scatter', mode: 'lines', name: 'equity', line: { color: '#38bdf8', width: 2 } }],
      { showlegend: false, yaxis: { tickformat: ',.0f', range: [lo - pad, hi + pad] }, margin: { l: 64, r: 10, t: 6, b: 44 } });
  }

  function dailyMeter(risk) {
    var t = risk.today;
    var used = t.limitUsed === null ? 0 : t.limitUsed;
    var meter = el('div', { class: 'meter' + (used >= 1 ? ' over' : used >= 0.6 ? ' hot' : '') }, [el('div', { style: 'width:' + Math.min(100, used * 100).toFixed(1) + '%' })]);
    return frag([
      el('h2', { text: 'Daily loss limit' }),
      el('div', { class: 'daily' }, [
        el('span', null, ["Today's P&L ", el('b', { class: tone(t.pnl), text: signedMoney(t.pnl) })]),
        el('span', { class: 'muted', text: 'limit ' + pct(risk.limits.maxDailyLoss) + ' of day-start equity ' + money(t.dayStartEquity) + ' = −' + money(t.lossLimit) }),
        el('span', { 'data-testid': 'limit-used' }, [el('b', { text: pct(used, 0) }), ' of the limit used']),
        t.halted ? el('b', { class: 'neg', text: 'HALTED: new entries blocked for today' }) : null,
      ]),
      meter,
    ]);
  }

  function frag(nodes) { var f = document.createDocumentFragment(); nodes.forEach(function (n) { if (n) f.appendChild(n); }); return f; }

  // ------------------------------------------------------------------ Signals

  /** A signal row in either shape: detail as a JSON string (older runners) or as fields. */
  function signalInfo(s) {
    var d = s.detail;
    if (typeof d === 'string') { try { d = JSON.parse(d); } catch (e) { d = { reason: d }; } }
    d = d || {};
    var kind = d.kind || s.kind || 'signal';
    var reason = d.reason !== undefined ? d.reason : s.reason;
    var conf = d.confidence !== undefined ? d.confidence : s.confidence;
    var value = s.value;
    var dir = s.direction || d.direction || (kind === 'signal' ? (value > 0 ? 'long' : value < 0 ? 'short' : 'flat') : kind === 'target_weight' ? 'weight ' + value : 'qty ' + value);
    var regime = d.regime || s.regime || null;
    var regimeText = regime && typeof regime === 'object' ? (regime.trend ? 'trend ' + regime.trend : '') + (regime.highVol ? ', high vol' : '') : typeof regime === 'string' ? regime : null;
    if (!regimeText && reason) {
      var m = /trend (\w+)/.exec(reason);
      if (m) regimeText = 'trend ' + m[1] + (/high volatility/.test(reason) ? ', high vol' : '');
    }
    return { time: s.time, symbol: s.symbol, strategy: s.strategy, dir: dir, confidence: conf === null || conf === undefined ? null : Number(conf), reason: reason || '', regime: regimeText, blocked: !!(d.blocked || s.blocked), model: s.model || d.model_version || d.model || null };
  }

  function renderSignals(list) {
    var rows = list.map(signalInfo);
    var buys = rows.filter(function (r) { return r.dir === 'long'; }).length;
    var sells = rows.filter(function (r) { return r.dir === 'flat' || r.dir === 'short'; }).length;
    var confs = rows.map(function (r) { return r.confidence; }).filter(function (c) { return c !== null && isFinite(c); });
    var mean = confs.length ? confs.reduce(function (a, b) { return a + b; }, 0) / confs.length : null;
    var blocked = rows.filter(function (r) { return r.blocked; }).length;
    put('sig-cards', frag([
      card('Signals', String(rows.length), '', rows.length ? 'since ' + when(rows[0].time) : 'none yet', 'sig-count'),
      card('Buy (long)', String(buys), 'pos', null, 'sig-buys'),
      card('Sell / exit', String(sells), 'neg', null, 'sig-sells'),
      card('Mean confidence', mean === null ? DASH : mean.toFixed(3), '', confs.length + ' with a confidence', 'sig-mean-conf'),
      card('Blocked', String(blocked), blocked ? 'warn' : '', 'by the kill switch', 'sig-blocked'),
    ]));
    var model = status ? status.model : null;
    put('sig-model', frag([
      el('dt', { text: 'Strategy' }), el('dd', { text: status ? status.strategy : DASH }),
      el('dt', { text: 'Model version' }), el('dd', { text: model || 'no model (rule-based strategy)', 'data-testid': 'sig-model-version' }),
      el('dt', { text: 'Symbols' }), el('dd', { text: status ? status.symbols.join(', ') : DASH }),
    ]));
    // Confidence histogram: ten bins over [0, 1], entries and exits stacked.
    var bins = [], x = [];
    for (var i = 0; i < 10; i++) { bins.push([0, 0]); x.push((i / 10 + 0.05).toFixed(2)); }
    rows.forEach(function (r) {
      if (r.confidence === null || !isFinite(r.confidence)) return;
      var b = Math.min(9, Math.max(0, Math.floor(r.confidence * 10)));
      bins[b][r.dir === 'long' ? 0 : 1]++;
    });
    plot('chart-sig-conf', [
      { x: x, y: bins.map(function (b) { return b[0]; }), type: 'bar', name: 'buy', marker: { color: '#22c55e' } },
      { x: x, y: bins.map(function (b) { return b[1]; }), type: 'bar', name: 'sell / exit', marker: { color: '#f43f5e' } },
    ], { barmode: 'stack', hovermode: 'closest', xaxis: { title: { text: 'confidence' }, range: [0, 1], dtick: 0.1 }, yaxis: { title: { text: 'signals' } }, margin: { l: 50, r: 10, t: 24, b: 42 } });
    var recent = rows.slice(-200).reverse();
    put('sig-table', table([
      { label: 'Time', value: function (r) { return when(r.time); }, cls: 'mono' },
      { label: 'Symbol', value: function (r) { return el('b', { text: r.symbol }); } },
      { label: 'Signal', value: function (r) { return pill(r.dir, r.dir.split(' ')[0]); } },
      { label: 'Confidence', num: true, value: function (r) { return r.confidence === null ? DASH : r.confidence.toFixed(3); } },
      { label: 'Regime', value: function (r) { return r.regime || DASH; } },
      { label: 'Model', sm: false, value: function (r) { return r.model || (model ? model.split(' ')[0] : r.strategy); } },
      { label: 'Reason', cls: 'wrap', value: function (r) { return r.reason + (r.blocked ? ' (blocked by the kill switch)' : ''); } },
    ], recent, { empty: 'No signals yet.', testid: 'signals' }));
  }

  // ------------------------------------------------------------------ Orders and fills

  /** Bracket children journaled as orders of their own (parentId names the parent by client or broker id). */
  function childrenOf(o, all) {
    return all.filter(function (c) { return c.parentId && (c.parentId === o.clientOrderId || (o.brokerId && c.parentId === o.brokerId)); });
  }

  function legLabel(c) {
    return c.type === 'limit' ? 'take profit' : c.type === 'stop' || c.type === 'stop_limit' ? 'stop loss' : c.type.replace(/_/g, ' ');
  }

  /** The bracket legs of an order: its child orders when the runner journals them, else the prices on the parent. */
  function bracketLegs(o, all) {
    var kids = childrenOf(o, all || []);
    if (kids.length) return kids.map(function (c) { return { label: legLabel(c), price: c.type === 'limit' ? c.limitPrice : c.stopPrice || c.limitPrice, status: c.status, order: c }; });
    if (o.bracket) {
      var out = [];
      if (o.bracket.takeProfit) out.push({ label: 'take profit', price: o.bracket.takeProfit, status: null, order: null });
      if (o.bracket.stopLoss) out.push({ label: 'stop loss', price: o.bracket.stopLoss, status: null, order: null });
      return out;
    }
    return [];
  }

  function orderPrice(o) {
    if (o.type === 'limit') return 'limit ' + money(o.limitPrice);
    if (o.type === 'stop') return 'stop ' + money(o.stopPrice);
    if (o.type === 'stop_limit') return 'stop ' + money(o.stopPrice) + ' / limit ' + money(o.limitPrice);
    return 'market';
  }

  function legRows(o, all, ncols) {
    return bracketLegs(o, all).map(function (l) {
      var cells = [el('td', { text: '↳ ' + l.label }), el('td', { class: 'num', text: money(l.price) })];
      cells.push(el('td', { colspan: String(ncols - 2), text: l.status ? l.status.replace(/_/g, ' ') : 'sent with the entry when it fills' }));
      return el('tr', { class: 'leg', 'data-leg-of': o.clientOrderId }, cells);
    });
  }

  function renderOrders(orders) {
    var byId = {};
    orders.forEach(function (o) { byId[o.clientOrderId] = o; if (o.brokerId) byId[o.brokerId] = o; });
    var isLeg = function (o) { return !!(o.parentId && byId[o.parentId]); };
    // Open entries with their legs beneath; open legs whose entry has filled are listed on their own (they
    // are the position's protection).
    var open = orders.filter(function (o) { return OPEN[o.status] && !(isLeg(o) && OPEN[byId[o.parentId].status]); }).reverse();
    $('ord-open-count').textContent = '(' + orders.filter(function (o) { return OPEN[o.status]; }).length + ')';
    var openCols = [
      { label: 'Order', value: function (o) { return el('span', { class: 'mono', text: o.clientOrderId }); } },
      { label: 'Symbol', value: function (o) { return el('b', { text: o.symbol }); } },
      { label: 'Side', value: function (o) { return pill(o.side); } },
      { label: 'Qty', num: true, value: function (o) { return qty(o.qty); } },
      { label: 'Filled', num: true, value: function (o) { return qty(o.filledQty); } },
      { label: 'Type', value: function (o) { return isLeg(o) ? legLabel(o) + ' · ' + orderPrice(o) : orderPrice(o); } },
      { label: 'Status', value: function (o) { return pill(o.status.replace(/_/g, ' '), o.status); } },
      { label: '', value: function (o) {
        return el('button', { type: 'button', class: 'small', 'data-cancel': o.clientOrderId, onclick: function () { cancelOrder(o); } }, ['Cancel']);
      } },
    ];
    put('ord-open', table(openCols, open, { empty: 'No open orders.', testid: 'open-orders', after: function (o) { return isLeg(o) ? [] : legRows(o, orders, openCols.length); }, rowAttrs: function (o) { return { 'data-order': o.clientOrderId }; } }));
    var recent = orders.filter(function (o) { return !isLeg(o); }).slice(-100).reverse();
    var allCols = [
      { label: 'Created', cls: 'mono', value: function (o) { return when(o.barTime !== null && o.barTime !== undefined ? o.barTime : o.createdAt); } },
      { label: 'Symbol', value: function (o) { return el('b', { text: o.symbol }); } },
      { label: 'Side', value: function (o) { return pill(o.side); } },
      { label: 'Qty', num: true, value: function (o) { return qty(o.qty); } },
      { label: 'Type', value: orderPrice },
      { label: 'Avg fill', num: true, value: function (o) { return money(o.avgFillPrice); } },
      { label: 'Status', value: function (o) { return pill(o.status.replace(/_/g, ' '), o.status); } },
      { label: 'Source', sm: false, value: function (o) { return o.source; } },
      { label: 'Bracket', cls: 'nowrap', sm: false, value: function (o) { return bracketLegs(o, orders).map(function (l) { return (l.label === 'take profit' ? 'TP ' : l.label === 'stop loss' ? 'SL ' : l.label + ' ') + money(l.price) + (l.status && l.status !== 'new' && l.status !== 'accepted' ? ' (' + l.status.replace(/_/g, ' ') + ')' : ''); }).join(' · ') || DASH; } },
      { label: 'Why', cls: 'wrap', sm: false, value: function (o) { return o.rejectReason ? 'rejected: ' + o.rejectReason : o.tag || ''; } },
    ];
    put('ord-all', table(allCols, recent, { empty: 'No orders yet.', testid: 'all-orders' }));
  }

  var FILL_COLS = [
    { label: 'Time', cls: 'mono', value: function (f) { return when(f.time); } },
    { label: 'Symbol', value: function (f) { return el('b', { text: f.symbol }); } },
    { label: 'Side', value: function (f) { return pill(f.side); } },
    { label: 'Qty', num: true, value: function (f) { return qty(f.qty); } },
    { label: 'Price', num: true, value: function (f) { return money(f.price); } },
    { label: 'Value', num: true, sm: false, value: function (f) { return money(num(f.qty) * num(f.price)); } },
    { label: 'Fee', num: true, sm: false, value: function (f) { return money(f.fee); } },
    { label: 'Order', sm: false, value: function (f) { return el('span', { class: 'mono', text: f.clientOrderId }); } },
  ];

  function renderFills(fills) {
    put('ord-fills', table(FILL_COLS, fills.slice().reverse(), { empty: 'No fills yet.', testid: 'fills', rowAttrs: function (f) { return { 'data-fill-id': f.id }; } }));
  }

  /** A fill from the event stream goes on the page at once, before any reload. */
  function addFill(f, flash) {
    var host = $('ord-fills');
    if (host.querySelector('tr[data-fill-id="' + CSS.escape(f.id) + '"]')) return;
    var tbl = host.querySelector('table');
    if (!tbl) { renderFills([f]); tbl = host.querySelector('table'); if (!tbl) return; }
    else {
      var tr = el('tr', { 'data-fill-id': f.id, class: flash ? 'flash' : null }, FILL_COLS.map(function (c) {
        var v = c.value(f);
        return el('td', { class: ((c.num ? 'num ' : '') + (c.sm === false ? 'hide-sm ' : '') + (typeof c.cls === 'string' ? c.cls : '')).trim() || null }, [v instanceof Node ? v : String(v)]);
      }));
      tbl.tBodies[0].insertBefore(tr, tbl.tBodies[0].firstChild);
      while (tbl.tBodies[0].rows.length > 200) tbl.tBodies[0].deleteRow(-1);
    }
  }

  function cancelOrder(o) {
    confirmDialog('Cancel order?', 'Cancel ' + o.side + ' ' + o.qty + ' ' + o.symbol + ' (' + o.clientOrderId + ')? Bracket legs attached to it are cancelled with it.', 'Cancel order', false)
      .then(function (ok) {
        if (!ok) return;
        return api('/api/orders/' + encodeURIComponent(o.clientOrderId), { method: 'DELETE' }).then(function () {
          toast('Cancelled ' + o.clientOrderId, 'good');
          dirty.orders = true; refresh('orders');
        });
      })
      .catch(onFailure);
  }

  // ------------------------------------------------------------------ Performance

  // The HTML report's metric rows (lib/report/metrics-table.ts, minus exposure and turnover), same order, labels
  // and formats.
  function P(v) { return pct(v); }
  function F(v) { return fixed(v); }
  function M(v) { return money(v); }
  var METRIC_ROWS = [
    ['Start equity', 'startEquity', M, true], ['End equity', 'endEquity', M, true], ['Total return', 'totalReturn', P, true],
    ['CAGR', 'cagr', P, true], ['Annual volatility', 'annualVolatility', P, true], ['Sharpe ratio', 'sharpe', F, true],
    ['Sortino ratio', 'sortino', F, true], ['Calmar ratio', 'calmar', F, true], ['Alpha (annual)', 'alpha', P, false], ['Beta', 'beta', F, false],
    ['Max drawdown', 'maxDrawdown', P, true],
    ['Longest drawdown', 'maxDrawdownBars', function (v, m) { return int(v) + ' bars / ' + fixed(m.maxDrawdownDays, 0) + ' days'; }, true],
    ['Skew', 'skew', F, true], ['Kurtosis (excess)', 'kurtosis', F, true], ['Daily VaR (95%)', 'valueAtRisk', P, true], ['Daily CVaR (95%)', 'conditionalValueAtRisk', P, true],
    ['Best day', 'bestDay', P, true], ['Worst day', 'worstDay', P, true], ['Best month', 'bestMonth', P, true], ['Worst month', 'worstMonth', P, true],
    ['Best year', 'bestYear', P, true], ['Worst year', 'worstYear', P, true],
    ['Trades', 'numTrades', int, false],
    ['Win rate', 'winRate', P, false], ['Profit factor', 'profitFactor', F, false], ['Expectancy', 'expectancy', M, false],
    ['Average win', 'avgWin', M, false], ['Average loss', 'avgLoss', M, false], ['Net trade P&L', 'netTradePnl', M, false],
    ['Fees', 'totalFees', M, false], ['Average holding time', 'avgHoldingDays', function (v) { return v === null ? DASH : fixed(v, 1) + ' days'; }, false],
  ];

  function renderPerformance(p) {
    var m = p.metrics || {};
    var b = p.benchmarkMetrics || {};
    put('perf-cards', frag([
      card('Total return', pct(m.totalReturn), tone(m.totalReturn), p.benchmarkMetrics ? 'benchmark ' + pct(b.totalReturn) : null, 'perf-total-return'),
      card('CAGR', pct(m.cagr), tone(m.cagr), null, 'perf-cagr'),
      card('Sharpe', fixed(m.sharpe), '', 'Sortino ' + fixed(m.sortino), 'perf-sharpe'),
      card('Max drawdown', pct(m.maxDrawdown), 'neg', fixed(m.maxDrawdownDays, 0) + ' days longest', 'perf-max-dd'),
      card('Win rate', pct(m.winRate, 1), '', (m.numTrades === undefined ? 0 : m.numTrades) + ' closed trades', 'perf-win-rate'),
      card('Alpha / beta', pct(m.alpha) + ' / ' + fixed(m.beta), '', 'vs the benchmark', 'perf-alpha'),
    ]));
    var traces = [{ x: p.equity.map(function (q) { return q.time; }), y: p.equity.map(function (q) { return q.value; }), type: 'scatter', mode: 'lines', name: 'strategy', line: { color: '#38bdf8', width: 2 } }];
    if (p.benchmark) traces.push({ x: p.benchmark.map(function (q) { return q.time; }), y: p.benchmark.map(function (q) { return q.value; }), type: 'scatter', mode: 'lines', name: 'buy and hold (equal weight)', hovertemplate: '%{y:,.2f}<extra>' + (p.benchmarkName || 'benchmark') + '</extra>', line: { color: '#a3a3a3', width: 1.5, dash: 'dot' } });
    plot('chart-perf-equity', traces, { yaxis: { tickformat: ',.0f' } });
    plot('chart-perf-dd', [{ x: p.drawdown.map(function (q) { return q.time; }), y: p.drawdown.map(function (q) { return q.value; }), type: 'scatter', mode: 'lines', name: 'drawdown', fill: 'tozeroy', line: { color: '#f43f5e', width: 1.5 }, fillcolor: 'rgba(244,63,94,0.18)' }],
      { showlegend: false, yaxis: { tickformat: '.2~%' } });
    if (!p.metrics) return put('perf-metrics', el('div', { class: 'empty', text: 'Metrics need at least two processed bars.' }));
    var hasB = !!p.benchmarkMetrics;
    var cols = [{ label: 'Metric', value: function (r) { return r[0]; } }, { label: 'Strategy', num: true, value: function (r) { return r[2](m[r[1]] === undefined ? null : m[r[1]], m); } }];
    if (hasB) cols.push({ label: 'Benchmark', num: true, value: function (r) { return r[3] ? r[2](b[r[1]] === undefined ? null : b[r[1]], b) : ''; } });
    put('perf-metrics', table(cols, METRIC_ROWS, { testid: 'metrics', rowAttrs: function (r) { return { 'data-metric': r[1] }; } }));
  }

  // ------------------------------------------------------------------ Risk and settings

  function renderRisk(risk, cfg, s) {
    var k = risk.killSwitch;
    put('risk-kill', frag([
      el('h2', { text: 'Kill switch' }),
      el('div', { class: 'killbox' }, [
        el('div', null, [
          el('div', { class: 'killstate ' + (k.active ? 'neg' : 'pos'), text: k.active ? 'KILLED (' + (k.kind || 'manual') + ')' : 'Trading', 'data-testid': 'kill-state' }),
          el('div', { class: 'muted', text: k.active ? (k.reason || '') + (k.since ? ' · since ' + when(k.since) : '') : 'Orders flow through the risk gate to the ' + s.broker + ' broker.' }),
        ]),
        k.active
          ? el('button', { type: 'button', class: 'primary', id: 'btn-resume', onclick: resume }, ['Resume trading'])
          : el('button', { type: 'button', class: 'danger', id: 'btn-kill', onclick: kill }, ['Kill trading']),
      ]),
    ]));
    put('risk-today', dailyMeter(risk));
    var L = risk.limits;
    var limitRows = [
      ['Max position size', L.maxPositionFraction === null ? 'no cap' : pct(L.maxPositionFraction, 1) + ' of equity'],
      ['Max daily loss', pct(L.maxDailyLoss, 1) + ' of day-start equity'],
      ['Default stop loss', L.stopLoss > 0 ? pct(L.stopLoss, 1) + ' from entry' : 'none'],
      ['Default take profit', L.takeProfit > 0 ? pct(L.takeProfit, 1) + ' from entry' : 'none'],
      ['Max gross exposure', L.maxGrossExposure === null ? 'no cap' : fixed(L.maxGrossExposure) + '× equity'],
      ['Max open positions', L.maxOpenPositions === null ? 'no cap' : String(L.maxOpenPositions)],
      ['Short selling', L.allowShort ? 'allowed' : 'not allowed'],
      ['Whole shares', L.wholeShares ? 'yes' : 'no'],
    ];
    put('risk-limits', table([{ label: 'Limit', value: function (r) { return r[0]; } }, { label: 'In force', value: function (r) { return r[1]; } }], limitRows, { testid: 'limits' }));
    var env = Object.keys(cfg.environment).map(function (name) { return [name, cfg.environment[name]]; });
    put('risk-env', table([{ label: 'Variable', value: function (r) { return el('span', { class: 'mono', text: r[0] }); } }, { label: 'Value', value: function (r) { return r[1]; } }], env, { testid: 'environment' }));
    put('risk-decisions', table([
      { label: 'Bar', cls: 'mono', value: function (d) { return when(d.time); } },
      { label: 'Source', sm: false, value: function (d) { return d.source; } },
      { label: 'Symbol', value: function (d) { return el('b', { text: d.symbol }); } },
      { label: 'Outcome', value: function (d) { return pill(d.outcome); } },
      { label: 'Rule', value: function (d) { return el('span', { class: 'mono', text: d.rules.map(function (x) { return x.rule; }).join(', ') || (d.outcome === 'blocked' ? 'kill switch' : DASH) }); } },
      { label: 'Wanted', num: true, value: function (d) { return fixed(d.requestedQty, 2); } },
      { label: 'Approved', num: true, value: function (d) { return fixed(d.approvedQty, 2); } },
      { label: 'Why', cls: 'wrap', value: function (d) { return d.rules.map(function (x) { return x.message; }).join('; ') + (d.reason ? (d.rules.length ? ' — ' : '') + d.reason : ''); } },
    ], risk.decisions.slice().reverse(), { empty: 'No order has been refused, resized or blocked.', testid: 'decisions' }));
    put('risk-config', configTree(cfg.config));
  }

  function flatten(obj, prefix, out) {
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      var key = prefix ? prefix + '.' + k : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) flatten(v, key, out);
      else out.push([key, Array.isArray(v) ? (v.length ? v.join(', ') : '[]') : v === null ? 'null' : typeof v === 'object' ? '{}' : String(v)]);
    });
    return out;
  }

  function configTree(cfg) {
    var f = document.createDocumentFragment();
    Object.keys(cfg).forEach(function (section, i) {
      var v = cfg[section];
      var rows = v !== null && typeof v === 'object' ? flatten(v, '', []) : [['', String(v)]];
      var d = el('details', { class: 'cfg', 'data-section': section }, [
        el('summary', { text: section }),
        el('div', { class: 'table-wrap' }, [table([{ label: 'Setting', cls: 'mono', value: function (r) { return r[0]; } }, { label: 'Value', cls: 'mono', value: function (r) { return r[1]; } }], rows)]),
      ]);
      if (i < 3) d.open = true;
      f.appendChild(d);
    });
    return f;
  }

  function kill() {
    confirmDialog('Kill trading?', 'New orders are blocked and open entry orders are cancelled. Bracket exits (stop loss, take profit) stay to protect open positions. Reason:', 'Kill trading', true, 'manual kill from the dashboard')
      .then(function (reason) {
        if (reason === false) return;
        return api('/api/kill', { method: 'POST', body: { reason: reason || 'manual kill from the dashboard' } }).then(function (s) {
          applyStatus(s);
          toast('Kill switch engaged', 'bad');
          dirty.risk = true; refresh('risk');
        });
      })
      .catch(onFailure);
  }

  function resume() {
    confirmDialog('Resume trading?', 'The strategy and manual orders will trade again from the next bar.', 'Resume trading', false)
      .then(function (ok) {
        if (!ok) return;
        return api('/api/resume', { method: 'POST', body: {} }).then(function (s) {
          applyStatus(s);
          toast('Trading resumed', 'good');
          dirty.risk = true; refresh('risk');
        });
      })
      .catch(onFailure);
  }

  /** Resolves false when cancelled; true (or the typed text when `withInput`) when confirmed. */
  function confirmDialog(title, text, okLabel, withInput, placeholder) {
    return new Promise(function (resolve) {
      $('confirm-title').textContent = title;
      $('confirm-text').textContent = text;
      var input = $('confirm-input');
      input.hidden = !withInput;
      input.value = '';
      input.placeholder = placeholder || '';
      $('confirm-ok').textContent = okLabel;
      $('confirm').hidden = false;
      (withInput ? input : $('confirm-ok')).focus();
      function done(v) {
        $('confirm').hidden = true;
        $('confirm-ok').onclick = null;
        $('confirm-cancel').onclick = null;
        resolve(v);
      }
      $('confirm-ok').onclick = function () { done(withInput ? input.value.trim() : true); };
      $('confirm-cancel').onclick = function () { done(false); };
    });
  }

  // ------------------------------------------------------------------ Logs

  function renderLogs(l) {
    $('log-file').textContent = l.file ? l.file : 'console only';
    var q = $('log-filter').value.trim().toLowerCase();
    var lines = l.lines.slice().reverse().filter(function (x) {
      return !q || (x.msg + ' ' + JSON.stringify(x.fields)).toLowerCase().indexOf(q) >= 0;
    });
    put('log-table', table([
      { label: 'Time', cls: 'nowrap', value: function (x) { return x.time ? x.time.slice(0, 19).replace('T', ' ') : DASH; } },
      { label: 'Level', value: function (x) { return pill(x.level); } },
      { label: 'Message', cls: 'msg', value: function (x) { return x.msg; } },
      { label: 'Fields', cls: 'fields', sm: false, value: function (x) { return Object.keys(x.fields).map(function (k) { var v = x.fields[k]; return k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)); }).join('  '); } },
    ], lines, { empty: l.file ? 'No log lines at this level.' : 'The runner logs to the console only.', testid: 'logs', rowAttrs: function (x) { return { 'data-level': x.level }; } }));
  }

  function downloadLog() {
    fetch('/api/logs/download', { headers: { Authorization: 'Bearer ' + token } })
      .then(function (res) {
        if (res.status === 401) throw new AuthError('The runner refused this token (HTTP 401).');
        if (!res.ok) return res.json().then(function (b) { throw new Error(b.error || 'HTTP ' + res.status); });
        return res.blob();
      })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = el('a', { href: url, download: 'runner.log' });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      })
      .catch(onFailure);
  }

  // ------------------------------------------------------------------ tabs and start-up

  function show(tab) {
    active = tab;
    document.querySelectorAll('.tabs button').forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === tab)); });
    TABS.forEach(function (t) { $('tab-' + t).hidden = t !== tab; });
    try { history.replaceState(null, '', '#' + tab); } catch (e) { /* file: or sandboxed */ }
    refresh(tab, true);
  }

  function start() {
    document.querySelectorAll('.tabs button').forEach(function (b) { b.addEventListener('click', function () { show(b.getAttribute('data-tab')); }); });
    $('login-form').addEventListener('submit', function (e) { e.preventDefault(); var t = $('login-token').value.trim(); if (t) connect(t); });
    $('signout').addEventListener('click', function () { signOut(''); });
    $('log-level').addEventListener('change', function () { refresh('logs', true); });
    $('log-filter').addEventListener('input', function () { if (last.logs) renderLogs(last.logs); });
    $('log-download').addEventListener('click', downloadLog);
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !$('confirm').hidden) $('confirm-cancel').click(); });
    var h = location.hash.replace('#', '');
    if (TABS.indexOf(h) >= 0) active = h;
    document.querySelectorAll('.tabs button').forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === active)); });
    TABS.forEach(function (t) { $('tab-' + t).hidden = t !== active; });
    setConn(false);
    var saved;
    try { saved = sessionStorage.getItem(TOKEN_KEY); } catch (e) { saved = null; }
    if (saved) connect(saved);
    else showLogin('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
