// The dashboard talks to the same public API as any client: E5 with groupby for totals, one request
// per day for the trend. The token comes from the URL fragment (never sent to the server in the URL)
// or the sign-in form, and is kept in sessionStorage for this tab only.
(() => {
  const API = '/v1/analytics/commercial/deployment/license/';
  const TREND_DAYS = 30;
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat('en-US');

  function takeToken() {
    const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('seatwise.token', decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('seatwise.token');
  }

  async function api(params) {
    const token = sessionStorage.getItem('seatwise.token');
    const res = await fetch(`${API}?${new URLSearchParams(params)}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    const body = await res.json();
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem('seatwise.token');
      showSignIn(body.description);
      throw new Error(body.description);
    }
    if (!res.ok) throw new Error(body.description || `HTTP ${res.status}`);
    return body;
  }

  const percent = (deployed, sold) => (sold > 0 ? (100 * Math.min(deployed, sold)) / sold : 0);
  const pctText = (p) => `${p.toFixed(1)} %`;

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function fillTable(id, rows) {
    const body = $(id).querySelector('tbody');
    body.replaceChildren(
      ...rows.map((cells) => {
        const tr = document.createElement('tr');
        tr.append(...cells);
        return tr;
      }),
    );
  }

  function serviceFilter() {
    const s = $('service').value;
    return s ? { filter: `serviceCode eq '${s}'` } : {};
  }

  async function latestDay() {
    const page = await api({ top: '1' });
    const row = page.Value[0];
    return row ? row.processedDateTime.slice(0, 10) : null;
  }

  function dayOffset(day, delta) {
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + delta);
    return d.toISOString().slice(0, 10);
  }

  async function renderTotals(day) {
    const page = await api({ groupby: 'serviceCode,channel', processedDateTime: day, ...serviceFilter() });
    // E5 groups carry sums only, so the KPIs compare summed seats: a customer over-assigned on one
    // product offsets unassigned seats elsewhere in its group.
    let sold = 0;
    let deployed = 0;
    const rows = page.Value.map((g) => {
      sold += g.licensesSold;
      deployed += g.licensesDeployed;
      const p = percent(g.licensesDeployed, g.licensesSold);
      return [
        cell(g.serviceCode),
        cell(g.channel),
        cell(fmt.format(g.licensesSold)),
        cell(fmt.format(g.licensesDeployed)),
        cell(fmt.format(Math.max(0, g.licensesSold - g.licensesDeployed))),
        cell(pctText(p), p < 50 ? 'low' : ''),
      ];
    });
    fillTable('by-service', rows);
    $('kpi-sold').textContent = fmt.format(sold);
    $('kpi-deployed').textContent = fmt.format(deployed);
    $('kpi-unassigned').textContent = fmt.format(Math.max(0, sold - deployed));
    $('kpi-percent').textContent = pctText(percent(deployed, sold));
  }

  async function renderShelfware(day) {
    const page = await api({
      // The tenant id keeps two customers of the same name apart.
      groupby: 'customerTenantId,customerName,productName',
      processedDateTime: day,
      top: '10000',
      ...serviceFilter(),
    });
    const worst = page.Value.map((g) => ({ ...g, unassigned: g.licensesSold - g.licensesDeployed }))
      .filter((g) => g.unassigned > 0)
      .sort((a, b) => b.unassigned - a.unassigned || a.customerName.localeCompare(b.customerName))
      .slice(0, 25);
    $('shelfware-note').textContent = page['@nextLink']
      ? `Top 25 of the first 10,000 of ${fmt.format(page.TotalCount)} customer products.`
      : `Top 25 of ${fmt.format(page.TotalCount)} customer products.`;
    fillTable(
      'shelfware',
      worst.map((g) => {
        const p = percent(g.licensesDeployed, g.licensesSold);
        return [
          cell(g.customerName),
          cell(g.productName),
          cell(fmt.format(g.licensesSold)),
          cell(fmt.format(g.licensesDeployed)),
          cell(fmt.format(g.unassigned)),
          cell(pctText(p), p < 50 ? 'low' : ''),
        ];
      }),
    );
  }

  let chart;
  async function renderTrend(day) {
    const days = Array.from({ length: TREND_DAYS }, (_, i) => dayOffset(day, i - TREND_DAYS + 1));
    const pages = await Promise.all(
      days.map((d) => api({ groupby: 'serviceCode', processedDateTime: d, ...serviceFilter() })),
    );
    const services = [...new Set(pages.flatMap((p) => p.Value.map((g) => g.serviceCode)))].sort();
    const datasets = services.map((service, i) => ({
      label: service,
      data: pages.map((p) => {
        const g = p.Value.find((v) => v.serviceCode === service);
        return g ? Number(percent(g.licensesDeployed, g.licensesSold).toFixed(2)) : null;
      }),
      borderColor: ['#2f6fde', '#d9822b', '#3a9d5d'][i % 3],
      spanGaps: true,
      tension: 0.2,
    }));
    if (typeof Chart === 'undefined') return;
    chart?.destroy();
    chart = new Chart($('trend'), {
      type: 'line',
      data: { labels: days, datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { suggestedMin: 0, suggestedMax: 100, title: { display: true, text: '% deployed' } } },
      },
    });
  }

  async function render() {
    const day = $('day').value;
    $('status').textContent = 'Loading…';
    try {
      await Promise.all([renderTotals(day), renderShelfware(day), renderTrend(day)]);
      $('status').textContent = '';
      document.body.dataset.ready = 'true';
    } catch (err) {
      $('status').textContent = err.message;
    }
  }

  function showSignIn(message) {
    $('signin').hidden = false;
    $('content').hidden = true;
    if (message) $('status').textContent = message;
  }

  async function start() {
    if (!takeToken()) return showSignIn();
    $('signin').hidden = true;
    try {
      const day = await latestDay();
      if (day === null) {
        $('status').textContent = 'No data yet: load some with "seatwise import" or "seatwise demo".';
        return;
      }
      $('day').value = day;
      $('content').hidden = false;
      await render();
    } catch (err) {
      $('status').textContent = err.message;
    }
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('seatwise.token', $('token-input').value.trim());
    void start();
  });
  $('day').addEventListener('change', () => void render());
  $('service').addEventListener('change', () => void render());
  void start();
})();
