/**
 * The dashboard script, served as /dashboard/app.js (plain ES5-style JavaScript, no framework).
 * It builds every element through the DOM (text nodes, setAttribute), so data is never parsed as
 * markup, and draws the charts as inline SVG.
 */
export const DASHBOARD_JS = String.raw`
'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var app = document.getElementById('app');
  var page = app ? app.getAttribute('data-page') : '';
  var params = new URLSearchParams(location.search);

  // Every value reaches the page as a text node or an attribute set through the DOM: never as markup.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    for (var key in attrs || {}) {
      if (attrs[key] !== undefined && attrs[key] !== null) node.setAttribute(key, String(attrs[key]));
    }
  }
  function append(node, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === undefined || c === null || c === false) return;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
  }
  function clear() {
    while (app.firstChild) app.removeChild(app.firstChild);
  }

  function load(name, query) {
    return fetch('/dashboard/data/' + name + (query || ''), { credentials: 'same-origin' }).then(function (res) {
      if (res.status === 401) {
        location.href = '/dashboard/sign-in';
        throw new Error('signed out');
      }
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || 'request failed: ' + res.status);
        return body;
      });
    });
  }

  function fractionDigits(currency) {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).resolvedOptions()
        .maximumFractionDigits;
    } catch (e) {
      return 2;
    }
  }
  function money(minor, currency) {
    if (minor === null || minor === undefined || !currency) return '—';
    var major = minor / Math.pow(10, fractionDigits(currency));
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency: currency }).format(major);
    } catch (e) {
      return major.toFixed(2) + ' ' + currency;
    }
  }
  function count(n) {
    return n === null || n === undefined ? '—' : new Intl.NumberFormat('en').format(n);
  }
  function pct(rate) {
    return rate === null || rate === undefined ? '—' : (rate * 100).toFixed(1) + '%';
  }
  function when(iso) {
    return iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—';
  }

  function card(key, label, value, sub) {
    return el('div', { class: 'card' }, [
      el('div', { class: 'label' }, label),
      el('div', { class: 'value', 'data-kpi': key }, value),
      sub ? el('div', { class: 'sub' }, sub) : null,
    ]);
  }
  function rateSub(r) {
    return r ? count(r.count) + ' of ' + count(r.of) : '';
  }
  function table(headers, rows, numeric, stack) {
    numeric = numeric || [];
    return el('table', { class: stack ? 'stack' : null }, [
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headers.map(function (h, i) {
            return el('th', { class: numeric.indexOf(i) >= 0 ? 'num' : null }, h);
          }),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map(function (row) {
          return el(
            'tr',
            {},
            row.map(function (cell, i) {
              return el('td', { class: numeric.indexOf(i) >= 0 ? 'num' : null, 'data-label': headers[i] || null }, cell);
            }),
          );
        }),
      ),
    ]);
  }
  function badge(status) {
    return el('span', { class: 'badge ' + String(status).replace(/[^a-z-]/g, '') }, status);
  }
  function legend(items) {
    return el(
      'div',
      { class: 'legend' },
      items.map(function (it) {
        var s = el('span', {}, it[0]);
        s.style.setProperty('--c', it[1]);
        return s;
      }),
    );
  }

  // ---- charts (inline SVG) ----

  function niceMax(v) {
    if (v <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  /** Bars for revenue (left axis), a line for orders (right axis), one slot per day. */
  function widthFor(max) {
    return Math.max(300, Math.min(max, app.clientWidth - 32));
  }

  function seriesChart(series, currency) {
    var W = widthFor(900), H = 240, L = 64, R = 40, T = 12, B = 30;
    var pw = W - L - R, ph = H - T - B;
    var maxRev = niceMax(Math.max.apply(null, series.map(function (p) { return p.revenueMinor; }).concat([0])));
    // At least 4 so that the five gridlines carry whole, distinct order counts.
    var maxOrd = Math.max(4, niceMax(Math.max.apply(null, series.map(function (p) { return p.orders; }).concat([0]))));
    var slot = pw / Math.max(series.length, 1);
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, role: 'img', 'aria-label': 'Revenue and orders per day', 'data-chart': 'series' });
    for (var g = 0; g <= 4; g++) {
      var y = T + ph - (ph * g) / 4;
      root.appendChild(svg('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#e4e7ec' }));
      root.appendChild(svg('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, money((maxRev * g) / 4, currency)));
      root.appendChild(svg('text', { x: W - R + 6, y: y + 4 }, count(Math.round((maxOrd * g) / 4))));
    }
    var points = [];
    series.forEach(function (p, i) {
      var x = L + i * slot;
      var h = (Math.max(p.revenueMinor, 0) / maxRev) * ph;
      var bar = svg('rect', { x: x + slot * 0.15, y: T + ph - h, width: slot * 0.7, height: h, fill: '#2f6fed', 'data-day': p.day });
      bar.appendChild(svg('title', {}, p.day + ': ' + money(p.revenueMinor, currency) + ', ' + p.orders + ' orders'));
      root.appendChild(bar);
      points.push((x + slot / 2).toFixed(1) + ',' + (T + ph - (p.orders / maxOrd) * ph).toFixed(1));
      // A label a week, counted back from the last day so that today is always labelled.
      if ((series.length - 1 - i) % 7 === 0) {
        root.appendChild(svg('text', { x: x + slot / 2, y: H - 10, 'text-anchor': 'middle' }, p.day.slice(5)));
      }
    });
    root.appendChild(svg('polyline', { points: points.join(' '), fill: 'none', stroke: '#12a37f', 'stroke-width': 2 }));
    return root;
  }

  function funnelChart(f) {
    var steps = [
      ['Contacts', f.contacts],
      ['Leads', f.leads],
      ['Customers', f.customers],
      ['Repeat customers', f.repeatCustomers],
    ];
    var W = widthFor(520), row = 40, H = steps.length * row + 4, L = 124;
    var max = Math.max(1, steps[0][1], steps[1][1], steps[2][1], steps[3][1]);
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, role: 'img', 'aria-label': 'Funnel', 'data-chart': 'funnel' });
    steps.forEach(function (s, i) {
      var y = i * row + 4;
      var w = Math.max(2, ((W - L - 100) * s[1]) / max);
      root.appendChild(svg('text', { x: L - 8, y: y + 21, 'text-anchor': 'end' }, s[0]));
      root.appendChild(svg('rect', { x: L, y: y + 4, width: w, height: row - 12, rx: 3, fill: ['#2f6fed', '#5b8def', '#12a37f', '#0b7a5e'][i] }));
      var prev = i > 0 ? steps[i - 1][1] : null;
      var note = count(s[1]) + (prev ? ' (' + pct(s[1] / prev) + ')' : '');
      root.appendChild(svg('text', { x: L + w + 8, y: y + 21, 'data-funnel': s[0] }, note));
    });
    return root;
  }

  function cohortChart(cohorts) {
    var cols = 1 + cohorts.reduce(function (m, c) { return Math.max(m, c.retained.length); }, 0);
    var cw = 52, ch = 26, L = 120, T = 22;
    var W = L + cols * cw + 4, H = T + cohorts.length * ch + 4;
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, role: 'img', 'aria-label': 'Retention by cohort', 'data-chart': 'cohorts' });
    for (var k = 0; k < cols; k++) root.appendChild(svg('text', { x: L + k * cw + cw / 2, y: 14, 'text-anchor': 'middle' }, 'M' + k));
    cohorts.forEach(function (c, r) {
      var y = T + r * ch;
      root.appendChild(svg('text', { x: L - 8, y: y + 17, 'text-anchor': 'end' }, c.month + ' (' + c.customers + ')'));
      var cells = [{ rate: c.customers > 0 ? 1 : null }].concat(c.retained);
      cells.forEach(function (cell, k) {
        var rate = cell.rate;
        var fill = rate === null ? '#f2f4f7' : 'rgba(47,111,237,' + (0.12 + 0.88 * rate).toFixed(2) + ')';
        root.appendChild(svg('rect', { x: L + k * cw + 1, y: y + 1, width: cw - 2, height: ch - 2, fill: fill, rx: 2 }));
        var dark = rate !== null && rate > 0.5;
        root.appendChild(svg('text', { x: L + k * cw + cw / 2, y: y + 17, 'text-anchor': 'middle', class: dark ? 'on-dark' : null }, rate === null ? '' : Math.round(rate * 100) + '%'));
      });
    });
    return root;
  }

  /** Layers top to bottom (breadth-first from the start), edges as straight or curved arrows. */
  function journeyChart(graph, visits) {
    var NW = 150, NH = 46, GX = 24, GY = 48, P = 16, PX = 84;
    var layers = [];
    graph.nodes.forEach(function (n) {
      (layers[n.layer] = layers[n.layer] || []).push(n);
    });
    layers = layers.filter(Boolean);
    var widest = layers.reduce(function (m, l) { return Math.max(m, l.length); }, 1);
    var W = PX * 2 + widest * NW + (widest - 1) * GX;
    var H = P * 2 + layers.length * NH + (layers.length - 1) * GY;
    var pos = {};
    layers.forEach(function (layer, li) {
      var rowW = layer.length * NW + (layer.length - 1) * GX;
      layer.forEach(function (n, i) {
        pos[n.id] = { x: (W - rowW) / 2 + i * (NW + GX), y: P + li * (NH + GY), node: n };
      });
    });
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, role: 'img', 'aria-label': 'Journey graph', 'data-chart': 'journey' });
    var defs = svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#98a2b3' })));
    root.appendChild(defs);
    graph.edges.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) return;
      var x1 = a.x + NW / 2, y1 = a.y + NH, x2 = b.x + NW / 2, y2 = b.y, d, lx, ly;
      if (b.y > a.y + NH + GY) {
        // Skips a layer: round the left side, so it never runs behind the nodes in between.
        x1 = a.x; y1 = a.y + NH / 2; x2 = b.x; y2 = b.y + NH / 2;
        var left = Math.min(x1, x2) - GX - 8;
        d = 'M' + x1 + ',' + y1 + ' C' + left + ',' + y1 + ' ' + left + ',' + y2 + ' ' + x2 + ',' + y2;
        lx = Math.min(x1, x2) - 26;
        ly = (y1 + y2) / 2;
      } else if (b.y > a.y) d = 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + (y1 + GY / 2) + ' ' + x2 + ',' + (y2 - GY / 2) + ' ' + x2 + ',' + y2;
      else {
        // A loop back up: leave from the right side and come round.
        x1 = a.x + NW; y1 = a.y + NH / 2; x2 = b.x + NW; y2 = b.y + NH / 2;
        var bend = Math.max(x1, x2) + GX;
        d = 'M' + x1 + ',' + y1 + ' C' + bend + ',' + y1 + ' ' + bend + ',' + y2 + ' ' + x2 + ',' + y2;
      }
      root.appendChild(svg('path', { d: d, fill: 'none', stroke: '#98a2b3', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }));
      if (e.label) {
        var label = e.label.replace(/^branches\[(\d+)\]\.next$/, 'branch $1');
        var anchor = lx === undefined ? 'start' : 'end';
        root.appendChild(svg('text', { x: lx === undefined ? (x1 + x2) / 2 + 4 : lx, y: (ly === undefined ? (y1 + y2) / 2 : ly) + 4, 'text-anchor': anchor }, label));
      }
    });
    Object.keys(pos).forEach(function (id) {
      var p = pos[id];
      var visited = visits[id];
      var g = svg('g', { class: 'node', 'data-node': id, transform: 'translate(' + p.x + ',' + p.y + ')' });
      g.appendChild(svg('rect', { width: NW, height: NH, rx: 6, fill: '#fff', stroke: p.node.type === 'exit' ? '#c4320a' : '#2f6fed' }));
      g.appendChild(svg('text', { x: 8, y: 18 }, id.length > 20 ? id.slice(0, 19) + '…' : id));
      g.appendChild(svg('text', { x: 8, y: 36, class: 'sub' }, p.node.type + (visited !== undefined ? ' · ' + count(visited) : '')));
      g.appendChild(svg('title', {}, id + ' (' + p.node.type + ')' + (visited !== undefined ? ': ' + visited + ' visits' : '')));
      root.appendChild(g);
    });
    return root;
  }

  // ---- pages ----

  /** The period and currency of the overview: a plain GET form, so the choice is in the URL. */
  function periodForm(d, cur) {
    var days = params.get('days') || '30';
    var currencies = [cur].concat(d.kpis.revenue.others.map(function (o) { return o.currency; })).filter(Boolean);
    return el('form', { class: 'search', method: 'get', action: '/dashboard', 'data-form': 'period' }, [
      el(
        'select',
        { name: 'days', 'aria-label': 'Period' },
        [7, 30, 90, 180].map(function (n) {
          var option = el('option', { value: n }, 'Last ' + n + ' days');
          if (String(n) === days) option.setAttribute('selected', '');
          return option;
        }),
      ),
      currencies.length > 1
        ? el(
            'select',
            { name: 'currency', 'aria-label': 'Currency' },
            currencies.map(function (c) {
              var option = el('option', { value: c }, c);
              if (c === cur) option.setAttribute('selected', '');
              return option;
            }),
          )
        : null,
      el('button', { type: 'submit' }, 'Show'),
    ]);
  }

  function overview(d) {
    var k = d.kpis;
    var cur = k.revenue.currency;
    var others = k.revenue.others.map(function (o) { return money(o.amountMinor, o.currency); }).join(', ');
    clear();
    append(app, [
      el('h1', {}, 'Overview'),
      periodForm(d, cur),
      el('p', { class: 'muted', 'data-period': d.period.from + '/' + d.period.to }, d.period.from + ' to ' + d.period.to + ' (UTC)'),
      el('div', { class: 'cards' }, [
        card('newContacts', 'New contacts', count(k.newContacts)),
        card('newLeads', 'New leads', count(k.newLeads)),
        card('leadToCustomer', 'Lead → customer', pct(k.leadToCustomer.rate), rateSub(k.leadToCustomer)),
        card('revenue', 'Revenue (net)', money(k.revenue.netMinor, cur), others ? 'also ' + others : cur ? 'refunds ' + money(k.revenue.refundsMinor, cur) : ''),
        card('orders', 'Orders', count(k.orders)),
        card('aov', 'Average order value', money(k.averageOrderValueMinor, cur)),
        card('repeatPurchase', 'Repeat purchase', pct(k.repeatPurchase.rate), rateSub(k.repeatPurchase) + ' customers, all time'),
        card('churn', 'Subscription churn', pct(k.churn.rate), rateSub(k.churn)),
        card('clv', 'Customer lifetime value', money(k.historicClvMinor, cur), 'historic, all time'),
        card('nps', 'NPS', k.nps.score === null ? '—' : String(Math.round(k.nps.score)), count(k.nps.responses) + ' responses'),
      ]),
      el('h2', {}, 'Revenue and orders per day'),
      el('div', { class: 'panel' }, [seriesChart(d.series, cur), legend([['Revenue' + (cur ? ' (' + cur + ')' : ''), '#2f6fed'], ['Orders', '#12a37f']])]),
      el('div', { class: 'grid2' }, [
        el('div', {}, [el('h2', {}, 'Funnel (the period)'), el('div', { class: 'panel' }, funnelChart(d.funnel))]),
        el('div', {}, [
          el('h2', {}, 'Email'),
          el(
            'div',
            { class: 'panel' },
            table(
              ['', 'Count', 'Rate'],
              [['Sent', count(k.email.sent), '']].concat(
                ['delivered', 'opened', 'clicked', 'unsubscribed', 'bounced', 'complained'].map(function (f) {
                  return [f.charAt(0).toUpperCase() + f.slice(1), count(k.email[f].count), pct(k.email[f].rate)];
                }),
              ),
              [1, 2],
            ),
          ),
        ]),
      ]),
      el('h2', {}, 'Retention by first-order month'),
      el('div', { class: 'panel' }, k.cohorts.length ? cohortChart(k.cohorts) : el('p', { class: 'muted' }, 'No customers yet.')),
    ]);
  }

  function revenueOf(r) {
    var parts = Object.keys(r.revenue).map(function (c) { return money(r.revenue[c], c); });
    return parts.length ? parts.join(', ') : '—';
  }
  function liftOf(r) {
    if (r.lift.absolute === null) return 'no holdout';
    return (r.lift.absolute >= 0 ? '+' : '') + (r.lift.absolute * 100).toFixed(1) + ' pts vs holdout';
  }
  function exitsOf(r) {
    var keys = Object.keys(r.exitedByReason);
    return keys.length ? keys.map(function (k) { return k + ' ' + r.exitedByReason[k]; }).join(', ') : '—';
  }
  // Enrollments the repair sweep found stranded: started, restarted or closed (none is the healthy case).
  function repairsOf(r) {
    var byAction = r.repairedByAction || {};
    var keys = Object.keys(byAction);
    return keys.length ? keys.map(function (k) { return k + ' ' + byAction[k]; }).join(', ') : 'none stranded';
  }
  function usd(n) {
    return '$' + n.toFixed(n < 1 ? 4 : 2);
  }

  function journeys(d) {
    clear();
    append(app, [
      el('h1', {}, 'Journeys'),
      el('p', { class: 'muted' }, 'Figures are for the live version (else the newest version with a report).'),
      el(
        'div',
        { class: 'panel' },
        table(
          ['Journey', 'Status', 'Live', 'Entered', 'Active', 'Converted', 'Exits', 'Repaired', 'Revenue', 'Cost'],
          d.journeys.map(function (j) {
            var r = j.reports.filter(function (x) { return x.version === j.liveVersion; })[0] || j.reports[0];
            var link = el('a', { href: '/dashboard/journeys?id=' + encodeURIComponent(j.journeyId), 'data-journey': j.journeyId }, j.name);
            return [
              link,
              badge(j.status),
              j.liveVersion ? 'v' + j.liveVersion : '—',
              r ? count(r.entered) : '—',
              r ? count(r.active) : '—',
              r ? el('span', {}, [count(r.converted.treated) + ' (' + pct(r.conversionRate.treated) + ')', el('br'), el('small', { class: 'muted' }, liftOf(r))]) : '—',
              r ? exitsOf(r) : '—',
              r ? el('span', { 'data-repaired': j.journeyId, title: repairsOf(r) }, count(r.repaired || 0)) : '—',
              r ? revenueOf(r) : '—',
              r ? usd(r.cost.total) : '—',
            ];
          }),
          [3, 4, 7],
          true,
        ),
      ),
    ]);
  }

  function journey(d) {
    var live = d.reports.filter(function (r) { return r.version === d.liveVersion; })[0];
    clear();
    append(app, [
      el('p', {}, el('a', { href: '/dashboard/journeys' }, '← All journeys')),
      el('h1', {}, d.name),
      el('p', {}, [badge(d.status), ' live version ', d.liveVersion ? 'v' + d.liveVersion : '—', ', latest v' + d.latestVersion]),
      live
        ? el('div', { class: 'cards' }, [
            card('entered', 'Entered', count(live.entered), count(live.holdout) + ' in holdout'),
            card('active', 'Active', count(live.active)),
            card('converted', 'Converted', count(live.converted.treated), pct(live.conversionRate.treated) + ', ' + liftOf(live)),
            card('exits', 'Exited', count(live.exited), exitsOf(live)),
            card('repaired', 'Repaired', count(live.repaired || 0), repairsOf(live)),
            card('revenue', 'Revenue', revenueOf(live)),
            card('cost', 'Cost', usd(live.cost.total), count(live.usage.transitions) + ' transitions'),
          ])
        : el('p', { class: 'muted' }, 'No report for the live version yet.'),
      el('h2', {}, 'Live definition'),
      el('div', { class: 'panel' }, d.graph ? journeyChart(d.graph, live ? live.nodes : {}) : el('p', { class: 'muted' }, 'Not published.')),
      el('h2', {}, 'Versions'),
      el(
        'div',
        { class: 'panel' },
        table(
          ['Version', 'Published', 'By', 'Transitions', 'Changes'],
          d.history.map(function (v) {
            return [
              'v' + v.version,
              when(v.publishedAt),
              v.publishedBy,
              v.transitions ? v.transitions.min + '–' + v.transitions.max : '—',
              el('ul', { class: 'explain' }, (v.diff || []).map(function (line) { return el('li', {}, line); })),
            ];
          }),
          [],
          true,
        ),
      ),
    ]);
  }

  function scoreCard(key, title, headline, score) {
    return el('div', { class: 'card', 'data-score': key }, [
      el('div', { class: 'label' }, title),
      el('div', { class: 'value' }, headline),
      el('ul', { class: 'explain' }, (score.explanation || []).map(function (line) { return el('li', {}, line); })),
    ]);
  }

  function contactSearch(value) {
    return el('form', { class: 'search', method: 'get', action: '/dashboard/contact' }, [
      el('input', { name: 'email', type: 'email', placeholder: 'email@example.com', value: value || '', 'aria-label': 'Email' }),
      el('button', { type: 'submit' }, 'Find'),
    ]);
  }

  /** A button that shows the enrollment's execution history: the states it went through, in order. */
  function pathButton(contactId, e) {
    var button = el('button', { type: 'button', class: 'link', 'data-path': e.enrollmentId }, 'Show path');
    button.addEventListener('click', function () {
      var target = document.getElementById('path');
      load('path', '?contact=' + encodeURIComponent(contactId) + '&enrollment=' + encodeURIComponent(e.enrollmentId))
        .then(function (p) {
          while (target.firstChild) target.removeChild(target.firstChild);
          append(target, [
            el('h2', {}, 'Path: ' + p.journeyId + ' v' + p.journeyVersion + ' — ' + p.status.toLowerCase()),
            el(
              'div',
              { class: 'panel', 'data-path-panel': p.enrollmentId },
              [
                el(
                  'ol',
                  { class: 'path' },
                  p.steps.map(function (step) {
                    return el('li', { 'data-step': step.state }, [
                      el('span', { class: 'mono' }, when(step.enteredAt)),
                      ' ',
                      // States a node compiles to besides its own (its Choice, its Wait) are shown muted.
                      step.node ? el('strong', {}, step.state) : el('span', { class: 'muted' }, step.state),
                      step.node ? el('span', { class: 'muted' }, ' (' + step.node + ')') : null,
                    ]);
                  }),
                ),
                p.consoleUrl
                  ? el('p', {}, el('a', { href: p.consoleUrl, rel: 'noopener noreferrer', target: '_blank' }, 'Execution history in the Step Functions console'))
                  : el('p', { class: 'muted' }, 'From the execution history of ' + p.executionArn),
              ],
            ),
          ]);
          target.scrollIntoView();
        })
        .catch(function (error) {
          while (target.firstChild) target.removeChild(target.firstChild);
          append(target, el('p', { class: 'error', role: 'alert' }, error.message));
        });
    });
    return button;
  }

  function contact(d) {
    var c = d.contact;
    var s = d.scores;
    var name = [c.firstName, c.lastName].filter(Boolean).join(' ');
    clear();
    append(app, [
      contactSearch(c.email),
      el('h1', { 'data-contact': 'name' }, name || c.email || c.contactId),
      el(
        'div',
        { class: 'panel' },
        table(
          ['Field', 'Value'],
          [
            ['Email', c.email || '—'],
            ['Phone', c.phone || '—'],
            ['Contact id', el('span', { class: 'mono' }, c.contactId)],
            ['Created', when(c.createdAt)],
            ['Unsubscribed', c.unsubscribedAt ? when(c.unsubscribedAt) : 'no'],
          ].concat(
            Object.keys(c.properties || {}).map(function (k) {
              var v = c.properties[k];
              return [k, typeof v === 'object' ? JSON.stringify(v) : String(v)];
            }),
          ),
        ),
      ),
      el('h2', {}, 'Scores'),
      el('div', { class: 'cards' }, [
        scoreCard('rfm', 'RFM', s.rfm.segment, s.rfm),
        scoreCard('churn', 'Churn risk', s.churn.level, s.churn),
        scoreCard('lead', 'Lead score', String(s.lead.total), s.lead),
        scoreCard('loyalty', 'Loyalty', s.loyalty.tier + ' · ' + s.loyalty.points + ' pts', s.loyalty),
      ]),
      el('h2', {}, 'Segments'),
      el(
        'div',
        { class: 'panel', 'data-contact': 'segments' },
        d.segments.length
          ? table(
              ['Segment', 'Member since'],
              d.segments.map(function (m) {
                return [el('a', { href: '/dashboard/segments?id=' + encodeURIComponent(m.segmentId) }, m.segmentId), when(m.enteredAt)];
              }),
            )
          : el('p', { class: 'muted' }, 'In no segment.'),
      ),
      el('h2', {}, 'Journeys'),
      el(
        'div',
        { class: 'panel' },
        d.enrollments.length
          ? table(
              ['Journey', 'Status', 'Entered', 'Ended', 'Path', 'Execution ARN'],
              d.enrollments.map(function (e) {
                return [
                  e.journeyId + ' v' + e.journeyVersion,
                  el('span', {}, [badge(e.status), e.exitReason && e.exitReason !== e.status ? ' ' + e.exitReason : '']),
                  when(e.enteredAt),
                  when(e.endedAt),
                  e.executionArn ? pathButton(c.contactId, e) : '—',
                  el('span', { class: 'mono', 'data-arn': e.enrollmentId }, e.executionArn || '—'),
                ];
              }),
              [],
              true,
            )
          : el('p', { class: 'muted' }, 'Not in any journey.'),
      ),
      el('div', { id: 'path' }),
      el('h2', {}, 'Timeline'),
      el(
        'div',
        { class: 'panel' },
        table(
          ['When', 'Event', 'Details'],
          d.timeline.map(function (e) {
            var details = JSON.stringify(e.data);
            return [when(e.at), e.name, el('span', { class: 'mono' }, details.length > 160 ? details.slice(0, 159) + '…' : details)];
          }),
          [],
          true,
        ),
      ),
    ]);
  }

  function segmentsChart(list) {
    var W = widthFor(640), row = 30, L = 190, H = list.length * row + 4;
    var max = Math.max.apply(null, [1].concat(list.map(function (x) { return x.members; })));
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, role: 'img', 'aria-label': 'Members per segment', 'data-chart': 'segments' });
    list.forEach(function (x, i) {
      var y = i * row + 4;
      var w = Math.max(2, ((W - L - 80) * x.members) / max);
      root.appendChild(svg('text', { x: L - 8, y: y + 17, 'text-anchor': 'end' }, x.name.length > 26 ? x.name.slice(0, 25) + '…' : x.name));
      root.appendChild(svg('rect', { x: L, y: y + 3, width: w, height: row - 10, rx: 3, fill: '#2f6fed' }));
      root.appendChild(svg('text', { x: L + w + 8, y: y + 17 }, count(x.members)));
    });
    return root;
  }

  function reevaluationOf(s) {
    var r = s.reevaluation;
    if (!r) return '—';
    var who = r.scope === 'members' ? 'members' : 'all contacts';
    return r.status === 'running'
      ? 'r' + r.revision + ': checking ' + who + ', ' + count(r.scanned) + ' so far'
      : 'r' + r.revision + ': ' + count(r.scanned) + (r.scope === 'members' ? ' member' : ' contact') + (r.scanned === 1 ? '' : 's') + ' checked, +' + count(r.entered) + ' −' + count(r.exited);
  }

  function segments(d) {
    clear();
    append(app, [
      el('h1', {}, 'Segments'),
      el('p', { class: 'muted' }, 'Memberships are kept current as events arrive; a rule change re-checks only the contacts it can move.'),
      d.segments.length
        ? el('div', { class: 'panel' }, segmentsChart(d.segments))
        : el('p', { class: 'muted', 'data-empty': 'segments' }, 'No segments yet. Save one with "tend segments save <file.json>" or PUT /api/segments/<id>.'),
      d.segments.length
        ? el(
            'div',
            { class: 'panel' },
            table(
              ['Segment', 'Rule', 'Members', 'Revision', 'Changed', 'Last re-evaluation'],
              d.segments.map(function (x) {
                return [
                  el('a', { href: '/dashboard/segments?id=' + encodeURIComponent(x.id), 'data-segment': x.id }, x.name),
                  x.rule,
                  el('span', { 'data-segment-count': x.id }, count(x.members)),
                  'r' + x.revision,
                  when(x.updatedAt),
                  reevaluationOf(x),
                ];
              }),
              [2],
              true,
            ),
          )
        : null,
    ]);
  }

  function segment(d) {
    var s = d.segment;
    clear();
    append(app, [
      el('p', {}, el('a', { href: '/dashboard/segments' }, '← All segments')),
      el('h1', {}, s.name),
      el('p', { 'data-segment-rule': s.id }, s.rule),
      s.description ? el('p', { class: 'muted' }, s.description) : null,
      el('div', { class: 'cards' }, [
        card('members', 'Members', count(s.members)),
        card('revision', 'Revision', 'r' + s.revision, 'by ' + s.updatedBy + ', ' + when(s.updatedAt)),
        card('reevaluation', 'Last re-evaluation', s.reevaluation ? s.reevaluation.status : '—', reevaluationOf(s)),
      ]),
      el('h2', {}, 'Members'),
      el(
        'div',
        { class: 'panel' },
        d.members.length
          ? table(
              ['Contact', 'Member since', 'Admitted by'],
              d.members.map(function (m) {
                return [
                  m.email
                    ? el('a', { href: '/dashboard/contact?email=' + encodeURIComponent(m.email), 'data-member': m.contactId }, m.email)
                    : el('span', { class: 'mono', 'data-member': m.contactId }, m.contactId),
                  when(m.enteredAt),
                  'r' + m.revision,
                ];
              }),
              [],
              true,
            )
          : el('p', { class: 'muted' }, 'Nobody is in this segment now.'),
      ),
      d.more ? el('p', { class: 'muted' }, 'The first 50 members; "tend segments members ' + s.id + '" pages through them all.') : null,
    ]);
  }

  function fail(error) {
    clear();
    append(app, el('p', { class: 'error', role: 'alert' }, error.message));
  }

  if (page === 'overview') {
    var period = new URLSearchParams();
    if (params.get('days')) period.set('days', params.get('days'));
    if (params.get('currency')) period.set('currency', params.get('currency'));
    load('overview', period.toString() ? '?' + period.toString() : '').then(overview).catch(fail);
  }
  else if (page === 'journeys') {
    var id = params.get('id');
    if (id) load('journey', '?id=' + encodeURIComponent(id)).then(journey).catch(fail);
    else load('journeys').then(journeys).catch(fail);
  } else if (page === 'contact') {
    var email = params.get('email');
    if (email) load('contact', '?email=' + encodeURIComponent(email)).then(contact).catch(function (e) {
      fail(e);
      app.insertBefore(contactSearch(email), app.firstChild);
    });
    else {
      clear();
      append(app, [el('h1', {}, 'Contact'), contactSearch('')]);
    }
  } else if (page === 'segments') {
    var segmentId = params.get('id');
    if (segmentId) load('segment', '?id=' + encodeURIComponent(segmentId)).then(segment).catch(fail);
    else load('segments').then(segments).catch(fail);
  }
})();
`;
