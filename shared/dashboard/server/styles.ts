/** The dashboard stylesheet, served as /dashboard/app.css. */
export const DASHBOARD_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f6f7f9; --card: #fff; --accent: #2f6fed; --accent2: #12a37f; --bad: #c4320a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; padding: 12px 20px; background: var(--card); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 18px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; }
nav a { color: var(--muted); text-decoration: none; padding: 4px 0; }
form.sign-out { display: flex; align-items: center; gap: 10px; margin: 0; }
form.sign-out .who { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
form.sign-out button.link { color: var(--muted); }
nav a[aria-current="page"] { color: var(--fg); font-weight: 600; border-bottom: 2px solid var(--accent); }
main { max-width: 1180px; margin: 0 auto; padding: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 0 0 8px; }
.muted { color: var(--muted); }
.error { color: var(--bad); }
a { color: var(--accent); }
/* A card is never narrower than its figure: figures do not wrap, the row wraps instead. */
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 170px; min-width: min-content; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; overflow-x: auto; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .node text { fill: var(--fg); font-size: 12px; }
svg .node text.sub, svg text.sub { fill: var(--muted); }
svg text.on-dark { fill: #fff; }
/* Wide drawings keep their size and scroll inside their panel rather than shrinking their text. */
svg[data-chart="journey"] { max-width: none; }
svg[data-chart="journey"] { margin: 0 auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.chart { position: relative; }
.chart .plot { width: 100%; min-width: 260px; }
.uplot { font: 12px system-ui, sans-serif; color: var(--muted); }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.u-wrap { position: relative; user-select: none; }
.u-over, .u-under { position: absolute; }
.u-under { overflow: hidden; }
.u-axis { position: absolute; }
.u-cursor-x, .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; will-change: transform; }
.u-cursor-x { height: 100%; border-right: 1px dashed #98a2b3; }
.u-cursor-y { width: 100%; border-bottom: 1px dashed #98a2b3; }
.u-hz .u-cursor-y, .u-cursor-pt, .u-select { display: none; }
.u-off { opacity: 0.3; }
.u-legend { display: flex; flex-wrap: wrap; justify-content: center; gap: 2px 14px; margin: 6px 0 0; font-size: 12px; }
.u-legend tr { display: inline-flex; align-items: center; margin: 0 8px; cursor: pointer; }
.u-legend th { font-weight: 400; padding: 0; border: 0; color: var(--muted); display: flex; align-items: center; }
.u-legend td { display: none; }
.u-legend .u-marker { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; }
.chart-tip { position: absolute; z-index: 1; padding: 4px 8px; border-radius: 4px; background: var(--fg); color: #fff; font-size: 12px; white-space: nowrap; pointer-events: none; transform: translateX(8px); }
.chart-tip.flip { transform: translateX(calc(-100% - 8px)); }
table.bars th { color: var(--fg); font-weight: 400; font-size: 14px; max-width: 14em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
table.bars td.bar-cell { width: 100%; }
table.bars td.bar-cell > div { display: flex; align-items: center; gap: 8px; }
table.bars .bar { flex: 0 1 auto; width: var(--w); min-width: 2px; height: 18px; border-radius: 3px; background: var(--c); }
table.bars .figure, table.bars td.num { white-space: nowrap; font-variant-numeric: tabular-nums; color: var(--muted); }
table.bars td, table.bars th { border: 0; padding: 4px 6px; vertical-align: middle; }
table.heat { width: auto; }
table.heat th, table.heat td { border: 0; padding: 4px 6px; white-space: nowrap; }
table.heat td { min-width: 48px; text-align: center; background: #f2f4f7; border: 2px solid var(--card); border-radius: 4px; }
table.heat td[style] { background: rgba(47, 111, 237, var(--a)); }
table.heat td.on-dark { color: #fff; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: var(--line); }
.badge.live, .badge.active, .badge.completed { background: #d1fadf; color: #05603a; }
.badge.paused { background: #fef0c7; color: #93370d; }
.badge.failed, .badge.archived { background: #fee4e2; color: #912018; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; overflow-wrap: anywhere; word-break: break-all; }
/* Names that read as one word (an audit action, a target): kept whole, or broken only where they would overflow. */
.mono.keep { word-break: normal; overflow-wrap: break-word; }
.whole { white-space: nowrap; }
ul.explain { margin: 6px 0 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
form.search { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0 16px; }
select { font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--card); }
input { font: inherit; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; min-width: 0; flex: 1; max-width: 360px; }
button { font: inherit; padding: 8px 14px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
button.link { padding: 0; background: none; color: var(--accent); text-decoration: underline; }
ol.path { margin: 0; padding-left: 22px; display: grid; gap: 4px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend span::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; background: var(--c); }
.sign-in main { max-width: 380px; margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 24px; }
.sign-in form { display: grid; gap: 10px; }
.sign-in input { max-width: none; }
.sign-in label { font-size: 13px; font-weight: 600; margin-bottom: -6px; }
.sign-in .or { display: flex; align-items: center; gap: 10px; color: var(--muted); font-size: 13px; margin: 18px 0 8px; }
.sign-in .or::before, .sign-in .or::after { content: ""; flex: 1; border-top: 1px solid var(--line); }
.sign-in .notice { color: #05603a; }
.small { font-size: 12px; margin: 0; }
button.secondary { background: var(--card); color: var(--fg); border: 1px solid var(--line); }
a.button { display: block; padding: 8px 14px; border-radius: 6px; background: var(--accent); color: #fff; text-align: center; text-decoration: none; }
@media (max-width: 600px) {
  main { padding: 12px; }
  header { padding: 10px 12px; }
  .cards { gap: 8px; }
  .card { flex-basis: 140px; padding: 10px 12px; }
  .card .value { font-size: 20px; }
  .grid2 { grid-template-columns: minmax(0, 1fr); }
  table { font-size: 13px; }
  th, td { padding: 5px 4px; }
  table.stack thead { display: none; }
  table.stack tr { display: block; padding: 8px 0; border-bottom: 1px solid var(--line); }
  table.stack td { display: grid; grid-template-columns: 96px minmax(0, 1fr); justify-items: start; gap: 8px; border: 0; padding: 2px 0; text-align: left; }
  table.stack td::before { content: attr(data-label); color: var(--muted); font-size: 12px; }
  table.stack td:not([data-label]) { display: block; }
}
`;
