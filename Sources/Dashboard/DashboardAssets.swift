/// The dashboard page: one HTML file, one script, one style sheet, served from the binary (the
/// host may have no internet: no CDN, no web font). The script fetches `/api/state`, then
/// follows `/events`; every value it shows is text the server formatted.
enum DashboardAssets {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>polypipe</title>
    <link rel="stylesheet" href="/style.css">
    </head>
    <body>
    <header>
      <h1>polypipe</h1>
      <span id="state" class="badge">…</span>
      <span id="mode"></span>
      <span id="heartbeat"></span>
      <span id="recon"></span>
      <span id="control" hidden>
        <button id="halt">Halt</button>
        <button id="cancel-all">Cancel all</button>
      </span>
    </header>
    <section class="cards">
      <div><label>Exposure</label><b id="exposure">–</b></div>
      <div><label>Open orders</label><b id="open-count">–</b></div>
      <div><label>Daily realized P&amp;L</label><b id="daily-pnl">–</b></div>
      <div><label>Fill rate</label><b id="fill-rate">–</b></div>
      <div><label>Slippage p50 / p95</label><b id="slippage">–</b></div>
      <div><label>Rate limit</label><b id="rate-limit">–</b></div>
    </section>
    <section><h2>P&amp;L over time</h2><svg id="pnl-chart" viewBox="0 0 800 200" preserveAspectRatio="none"></svg>
      <p class="legend"><span class="realized">realized</span> <span class="total">realized + unrealized</span></p></section>
    <section><h2>Positions by asset</h2><table id="positions"><thead><tr><th>Token</th><th>Size</th><th>Avg price</th><th>Realized</th><th>Unrealized</th><th>Fees</th><th>Fills</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Open orders</h2><table id="open-orders"><thead><tr><th>Order</th><th>Token</th><th>Side</th><th>Price</th><th>Size</th><th>Status</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Recent fills</h2><table id="fills"><thead><tr><th>Trade</th><th>Token</th><th>Side</th><th>Price</th><th>Size</th><th>Fee</th><th>Slippage</th><th>Settlement</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Recent orders</h2><table id="orders"><thead><tr><th>Order</th><th>Token</th><th>Side</th><th>Price</th><th>Size</th><th>Outcome</th><th>Status</th><th>Reason</th></tr></thead><tbody></tbody></table></section>
    <section class="split">
      <div><h2>Latency per stage</h2><table id="latency"><thead><tr><th>Stage</th><th>n</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody></tbody></table></div>
      <div><h2>Slippage per share</h2><table id="slippage-histogram"><tbody></tbody></table></div>
    </section>
    <section><h2>Alarms</h2><table id="alarms"><thead><tr><th>Kind</th><th>Severity</th><th>Subject</th><th>Detail</th><th></th></tr></thead><tbody></tbody></table></section>
    <footer id="updated"></footer>
    <script src="/app.js"></script>
    </body>
    </html>
    """#

    static let script = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    function cell(text) { const td = document.createElement("td"); td.textContent = text == null ? "–" : String(text); return td; }
    function rows(id, items, columns) {
      const body = $(id).querySelector("tbody");
      body.replaceChildren(...items.map((item) => {
        const tr = document.createElement("tr");
        for (const column of columns) tr.appendChild(cell(typeof column === "function" ? column(item) : item[column]));
        return tr;
      }));
    }
    function chart(points) {
      const svg = $("pnl-chart");
      if (points.length < 1) { svg.replaceChildren(); return; }
      const xs = points.map((p) => p[0]), totals = points.map((p) => p[1] + p[2]), realized = points.map((p) => p[1]);
      const lo = Math.min(0, ...totals, ...realized), hi = Math.max(0, ...totals, ...realized), span = (hi - lo) || 1;
      const x0 = xs[0], xspan = (xs[xs.length - 1] - x0) || 1;
      const path = (values) => values.map((v, i) => `${i ? "L" : "M"}${((xs[i] - x0) / xspan * 800).toFixed(1)},${(200 - (v - lo) / span * 200).toFixed(1)}`).join(" ");
      const zero = (200 - (0 - lo) / span * 200).toFixed(1);
      svg.innerHTML = `<line x1="0" x2="800" y1="${zero}" y2="${zero}" class="zero"/>` +
        `<path d="${path(totals)}" class="total"/><path d="${path(realized)}" class="realized"/>`;
    }
    function render(s) {
      $("state").textContent = s.exec.state; $("state").className = "badge " + s.exec.state;
      $("state").title = s.exec.reason || "";
      $("mode").textContent = s.exec.mode ? "mode " + s.exec.mode : "";
      $("heartbeat").textContent = s.exec.heartbeat_ok ? "venue heartbeat ok" : "venue heartbeat LAPSED";
      $("recon").textContent = s.recon.in_sync == null ? "recon –" : (s.recon.in_sync ? "recon in sync" : "recon: " + s.recon.active.length + " alarm(s)");
      $("exposure").textContent = s.exec.exposure;
      $("open-count").textContent = s.exec.open_orders;
      $("daily-pnl").textContent = s.exec.daily_realized_pnl;
      $("fill-rate").textContent = s.fill_rate || "–";
      $("slippage").textContent = (s.slippage.p50 || "–") + " / " + (s.slippage.p95 || "–");
      $("rate-limit").textContent = s.rate_limit;
      chart(s.pnl);
      rows("positions", s.positions, ["token", "size", "average_price", "realized", "unrealized", "fees", "fills"]);
      rows("open-orders", s.open_orders, ["order_id", "token", "side", "price", "size", "status"]);
      rows("fills", s.fills, ["trade_id", "token", "side", "price", "size", "fee", "slippage", "settlement"]);
      rows("orders", s.orders, ["order_id", "token", "side", "price", "size", "outcome", "status", "reason"]);
      rows("latency", s.latency, ["stage", "count", "p50", "p95", "p99"]);
      rows("slippage-histogram", s.slippage.histogram, [(b) => b[0], (b) => b[1]]);
      rows("alarms", s.alarms, ["kind", "severity", "subject", "detail", (a) => a.cleared ? "cleared" : "raised"]);
      $("control").hidden = !s.control;
      $("updated").textContent = "updated " + new Date(s.now_ms).toISOString() + " · " + s.messages + " bus messages";
      document.body.dataset.loaded = "true";
    }
    async function command(name) {
      const token = window.prompt("Operator token for " + name);
      if (!token) return;
      const answer = await fetch("/api/" + name, { method: "POST", headers: { Authorization: "Bearer " + token } });
      const reply = await answer.json();
      window.alert(reply.ok ? name + ": done" : name + " failed: " + reply.error);
    }
    $("halt").onclick = () => command("halt");
    $("cancel-all").onclick = () => command("cancel-all");
    fetch("/api/state").then((r) => r.json()).then(render);
    const events = new EventSource("/events");
    events.onmessage = (event) => render(JSON.parse(event.data));
    """#

    static let style = #"""
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0 24px 24px; color: #1d2330; background: #f6f7f9; }
    header { display: flex; gap: 16px; align-items: center; padding: 12px 0; border-bottom: 1px solid #d8dce3; }
    h1 { font-size: 20px; margin: 0 12px 0 0; } h2 { font-size: 15px; margin: 20px 0 8px; }
    .badge { padding: 2px 10px; border-radius: 10px; background: #999; color: #fff; font-weight: 600; }
    .badge.running { background: #1f8a4c; } .badge.reduce-only { background: #b7791f; } .badge.halted { background: #c53030; }
    .cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin-top: 16px; }
    .cards div { background: #fff; border: 1px solid #d8dce3; border-radius: 6px; padding: 10px; }
    .cards label { display: block; color: #5a6475; font-size: 12px; } .cards b { font-size: 18px; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eceef2; font-variant-numeric: tabular-nums; }
    #pnl-chart { width: 100%; height: 200px; background: #fff; border: 1px solid #d8dce3; }
    #pnl-chart path { fill: none; stroke-width: 2; } #pnl-chart .total { stroke: #2b6cb0; } #pnl-chart .realized { stroke: #1f8a4c; }
    #pnl-chart .zero { stroke: #bbb; stroke-dasharray: 4 4; }
    .legend .realized { color: #1f8a4c; } .legend .total { color: #2b6cb0; }
    .split { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
    button { padding: 4px 12px; } #halt { background: #c53030; color: #fff; border: 0; border-radius: 4px; }
    footer { margin-top: 16px; color: #5a6475; font-size: 12px; }
    """#
}
