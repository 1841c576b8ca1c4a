// The dashboard talks to the same public API as any client: E5 with groupby for totals, Seatwise's
// /seatwise/v1/ endpoints for the trend, the cost of unassigned seats and the renewals. The token
// comes from the URL fragment (never sent to the server in the URL) or the sign-in form, and is kept
// in sessionStorage for this tab only. What is on screen (snapshot day, filter, customer) is kept in
// the query string, so a reload or a shared link shows the same; the token never is.
(() => {
  const E5 = '/v1/analytics/commercial/deployment/license/';
  const TREND = '/seatwise/v1/trend';
  const SHELFWARE = '/seatwise/v1/shelfware';
  const RENEWALS = '/seatwise/v1/renewals';
  const TREND_DAYS = 30;
  const RENEWAL_DAYS = 30;
  const PAGE = 10;
  const CUSTOMER_PAGE = 100;
  const COLORS = ['#2f6fde', '#d9822b', '#3a9d5d', '#9b59b6', '#c0392b', '#16a085', '#7f8c8d', '#b7950b'];
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat('en-US');

  // ---- API ----------------------------------------------------------------------------------

  class ApiFailure extends Error {
    constructor(status, body) {
      super(body?.description || body?.message || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  function takeToken() {
    const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem('seatwise.token', decodeURIComponent(m[1]));
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('seatwise.token');
  }

  async function call(path, params) {
    const token = sessionStorage.getItem('seatwise.token');
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
    const res = await fetch(`${path}?${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem('seatwise.token');
      showSignIn(body?.description);
    }
    if (!res.ok) throw new ApiFailure(res.status, body);
    return body;
  }

  // ---- State in the URL -----------------------------------------------------------------------

  let state = { day: '', filter: '', customer: '' };

  function readState() {
    const q = new URLSearchParams(location.search);
    return { day: q.get('day') ?? '', filter: q.get('filter') ?? '', customer: q.get('customer') ?? '' };
  }

  function stateUrl(s) {
    const q = new URLSearchParams();
    if (s.day) q.set('day', s.day);
    if (s.filter) q.set('filter', s.filter);
    if (s.customer) q.set('customer', s.customer);
    const text = q.toString();
    return location.pathname + (text ? `?${text}` : '');
  }

  function navigate(next, options = {}) {
    const fromOverview = !state.customer && Boolean(next.customer);
    state = next;
    history.pushState({ fromOverview }, '', stateUrl(state));
    void render(options);
  }

  function openCustomer(id) {
    navigate({ ...state, customer: id }, { focus: 'customer' });
  }

  function goOverview() {
    if (!state.customer) return;
    const back = state.customer;
    if (history.state?.fromOverview) {
      pendingFocus = back;
      history.back();
    } else {
      navigate({ ...state, customer: '' }, { focusCustomer: back });
    }
  }

  // ---- Formatting and cells -------------------------------------------------------------------

  const percent = (deployed, sold) => (sold > 0 ? (100 * Math.min(deployed, sold)) / sold : 0);
  const pctText = (p) => `${p.toFixed(1)} %`;
  const moneyFormats = new Map();

  function money(amount, currency) {
    let f = moneyFormats.get(currency);
    if (f === undefined) {
      try {
        f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
      } catch {
        f = null;
      }
      moneyFormats.set(currency, f);
    }
    return f ? f.format(amount) : `${amount} ${currency}`;
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  /** A number cell: formatted on screen, the raw number in the CSV. */
  function num(n, className) {
    if (n === null || n === undefined) {
      const td = cell('—', 'num');
      td.dataset.value = '';
      return td;
    }
    const td = cell(fmt.format(n), className ? `num ${className}` : 'num');
    td.dataset.value = String(n);
    return td;
  }

  function pct(deployed, sold) {
    const p = percent(deployed, sold);
    const td = cell(pctText(p), p < 50 ? 'num low' : 'num');
    td.dataset.value = p.toFixed(1);
    return td;
  }

  function moneyCell(amount, currency) {
    if (amount === undefined || amount === null || !currency) {
      const td = cell('—', 'num');
      td.dataset.value = '';
      return td;
    }
    const td = cell(money(amount, currency), 'num');
    td.dataset.value = String(amount);
    return td;
  }

  function customerCell(id, name) {
    const td = document.createElement('td');
    const a = document.createElement('a');
    a.href = stateUrl({ ...state, customer: id });
    a.className = 'customer-link';
    a.dataset.customer = id;
    a.textContent = name;
    td.append(a);
    return td;
  }

  /** Fills a table's body; an empty table is hidden with its CSV button (its note says why). */
  function fillTable(id, rows) {
    const table = $(id);
    const wrap = table.closest('.table-wrap');
    wrap.hidden = rows.length === 0;
    const tools = wrap.previousElementSibling;
    if (tools?.classList.contains('table-tools')) tools.hidden = rows.length === 0;
    table.querySelector('tbody').replaceChildren(
      ...rows.map((cells) => {
        const tr = document.createElement('tr');
        tr.append(...cells);
        return tr;
      }),
    );
  }

  function fillList(id, lines) {
    $(id).replaceChildren(
      ...lines.map(({ text, currency, amount }) => {
        const li = document.createElement('li');
        li.textContent = text;
        if (currency) {
          li.dataset.currency = currency;
          li.dataset.amount = String(amount);
        }
        return li;
      }),
    );
  }

  const dayOffset = (day, delta) => {
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + delta);
    return d.toISOString().slice(0, 10);
  };

  const quote = (text) => `'${text.replaceAll("'", "''")}'`;

  /** The user's filter, narrowed to one customer on the customer page. */
  function scopedFilter() {
    if (!state.customer) return state.filter;
    const own = `customerTenantId eq ${quote(state.customer)}`;
    return state.filter ? `${own} and (${state.filter})` : own;
  }

  // ---- The filter box -------------------------------------------------------------------------

  /** Asks E5 whether the filter parses; returns the fault (with its position) when it does not. */
  async function checkFilter() {
    if (!state.filter) return null;
    try {
      await call(E5, { top: '0', filter: state.filter, processedDateTime: state.day });
      return null;
    } catch (err) {
      if (!(err instanceof ApiFailure) || err.status !== 400) throw err;
      const datum = Array.isArray(err.body?.data) ? err.body.data[0] : undefined;
      let position = typeof datum?.position === 'number' ? datum.position : null;
      if (position === null) {
        const m = /at position (\d+)/.exec(err.message);
        if (m) position = Number(m[1]);
      }
      let length = typeof datum?.token === 'string' ? datum.token.length : 0;
      if (position !== null && length > 0 && datum.token.endsWith('…')) {
        if (state.filter.substr(position, length) !== datum.token) length -= 1;
      }
      return { message: err.message, position, length };
    }
  }

  function showFilterError({ message, position, length }) {
    const input = $('filter');
    const text = state.filter;
    $('filter-error-text').textContent = message;
    const echo = $('filter-echo');
    if (position === null) {
      echo.replaceChildren(text);
    } else {
      const at = Math.min(position, text.length);
      const end = Math.min(at + length, text.length);
      const mark = document.createElement('mark');
      mark.textContent = end > at ? text.slice(at, end) : '\u00a0';
      if (end === at) mark.className = 'at-end';
      echo.replaceChildren(text.slice(0, at), mark, text.slice(end));
    }
    $('filter-error').hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'filter-error-text filter-help');
    input.dataset.errorPosition = position === null ? '' : String(position);
    input.focus();
    if (position !== null) {
      const at = Math.min(position, input.value.length);
      input.setSelectionRange(at, Math.min(at + length, input.value.length));
    }
  }

  function clearFilterError() {
    const input = $('filter');
    $('filter-error').hidden = true;
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'filter-help');
    delete input.dataset.errorPosition;
  }

  // ---- Overview panels (each loads, then returns how to draw what it loaded) ------------------

  async function loadTotals() {
    const page = await call(E5, {
      groupby: 'serviceCode,channel',
      processedDateTime: state.day,
      filter: state.filter,
    });
    return () => {
      // E5 groups carry sums only, so the KPIs compare summed seats: a customer over-assigned on one
      // product offsets unassigned seats elsewhere in its group.
      let sold = 0;
      let deployed = 0;
      const rows = page.Value.map((g) => {
        sold += g.licensesSold;
        deployed += g.licensesDeployed;
        return [
          cell(g.serviceCode),
          cell(g.channel),
          num(g.licensesSold),
          num(g.licensesDeployed),
          num(Math.max(0, g.licensesSold - g.licensesDeployed)),
          pct(g.licensesDeployed, g.licensesSold),
        ];
      });
      fillTable('by-service', rows);
      setKpis('', sold, deployed);
      if (page.Value.length === 0) {
        notice = state.filter
          ? `No rows of the snapshot of ${state.day} match the filter.`
          : `No snapshot on ${state.day}.`;
      }
    };
  }

  function setKpis(prefix, sold, deployed) {
    $(`${prefix}kpi-sold`).textContent = fmt.format(sold);
    $(`${prefix}kpi-deployed`).textContent = fmt.format(deployed);
    $(`${prefix}kpi-unassigned`).textContent = fmt.format(Math.max(0, sold - deployed));
    $(`${prefix}kpi-percent`).textContent = pctText(percent(deployed, sold));
  }

  async function loadMostUnassigned() {
    const page = await call(E5, {
      // The tenant id keeps two customers of the same name apart.
      groupby: 'customerTenantId,customerName,productName',
      processedDateTime: state.day,
      top: '10000',
      filter: state.filter,
    });
    return () => {
      const worst = page.Value.map((g) => ({ ...g, unassigned: g.licensesSold - g.licensesDeployed }))
        .filter((g) => g.unassigned > 0)
        .sort((a, b) => b.unassigned - a.unassigned || a.customerName.localeCompare(b.customerName))
        .slice(0, PAGE);
      $('shelfware-note').textContent = page['@nextLink']
        ? `Top ${PAGE} of the first 10,000 of ${fmt.format(page.TotalCount)} customer products.`
        : `Top ${PAGE} of ${fmt.format(page.TotalCount)} customer products.`;
      fillTable(
        'shelfware',
        worst.map((g) => [
          customerCell(g.customerTenantId, g.customerName),
          cell(g.productName),
          num(g.licensesSold),
          num(g.licensesDeployed),
          num(g.unassigned),
          pct(g.licensesDeployed, g.licensesSold),
        ]),
      );
    };
  }

  const charts = new Map();
  function drawChart(id, config) {
    if (typeof Chart === 'undefined') return;
    charts.get(id)?.destroy();
    charts.set(id, new Chart($(id), config));
  }

  function lineOptions(yTitle, extra = {}) {
    return {
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: { y: { title: { display: true, text: yTitle }, ...extra } },
    };
  }

  async function loadTrend() {
    const trend = await call(TREND, {
      groupby: 'serviceCode',
      from: dayOffset(state.day, 1 - TREND_DAYS),
      to: state.day,
      filter: state.filter,
    });
    return () => {
      const days = [...new Set(trend.value.map((v) => v.processedDate))];
      const services = [...new Set(trend.value.map((v) => v.serviceCode))].sort();
      const datasets = services.map((service, i) => ({
        label: service,
        data: days.map((d) => {
          const g = trend.value.find((v) => v.processedDate === d && v.serviceCode === service);
          return g ? Number(percent(g.licensesDeployed, g.licensesSold).toFixed(2)) : null;
        }),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        spanGaps: true,
        tension: 0.2,
      }));
      drawChart('trend', {
        type: 'line',
        data: { labels: days, datasets },
        options: lineOptions('% deployed', { suggestedMin: 0, suggestedMax: 100 }),
      });
    };
  }

  /**
   * Loads a panel the rest of the page does not depend on: a 404 (a server without the route, a day
   * without a snapshot) or a 400 (a filter this endpoint cannot apply, e.g. renewals by serviceCode)
   * is a quiet note in the panel, not a broken page.
   */
  async function optional(load, noteId, clear) {
    try {
      return await load();
    } catch (err) {
      if (!(err instanceof ApiFailure) || (err.status !== 404 && err.status !== 400)) throw err;
      return () => {
        clear();
        $(noteId).textContent = `${err.status === 404 ? 'Not available' : 'Not shown'}: ${err.message}`;
        $(noteId).classList.add('unavailable');
      };
    }
  }

  function costLines(totals, unpriced) {
    const lines = totals.map((t) => ({
      text: `${money(t.monthlyCostUnassigned, t.currency)} per month — ${fmt.format(t.licensesUnassigned)} unassigned seats in ${fmt.format(t.items)} ${t.items === 1 ? 'item' : 'items'}`,
      currency: t.currency,
      amount: t.monthlyCostUnassigned,
    }));
    if (unpriced && unpriced.items > 0) {
      lines.push({
        text: `No known price: ${fmt.format(unpriced.licensesUnassigned)} unassigned seats in ${fmt.format(unpriced.items)} ${unpriced.items === 1 ? 'item' : 'items'}`,
      });
    }
    if (lines.length === 0) lines.push({ text: 'No unassigned seats.' });
    return lines;
  }

  function shownNote(page) {
    return page.value.length < page.totalCount
      ? `Showing ${fmt.format(page.value.length)} of ${fmt.format(page.totalCount)} items, most costly first.`
      : `${fmt.format(page.totalCount)} ${page.totalCount === 1 ? 'item' : 'items'}, most costly first.`;
  }

  function loadCost(prefix, withCustomer) {
    const table = `${prefix}cost`;
    const clear = () => {
      fillTable(table, []);
      fillList(`${prefix}cost-totals`, []);
    };
    return optional(
      async () => {
        const page = await call(SHELFWARE, {
          processedDateTime: state.day,
          filter: scopedFilter(),
          top: String(withCustomer ? PAGE : CUSTOMER_PAGE),
        });
        return () => {
          $(`${prefix}cost-note`).classList.remove('unavailable');
          fillList(`${prefix}cost-totals`, costLines(page.totals, page.unpriced));
          $(`${prefix}cost-note`).textContent = page.totalCount === 0 ? '' : shownNote(page);
          fillTable(
            table,
            page.value.map((s) => [
              ...(withCustomer ? [customerCell(s.customerTenantId, s.customerName)] : []),
              cell(s.productName),
              num(s.licensesSold),
              num(s.licensesDeployed),
              num(s.licensesUnassigned),
              moneyCell(s.monthlyUnitPrice, s.currency),
              moneyCell(s.monthlyCostUnassigned, s.currency),
              cell(s.currency ?? ''),
            ]),
          );
        };
      },
      `${prefix}cost-note`,
      clear,
    );
  }

  const autoRenew = (v) => (v === true ? 'yes' : v === false ? 'no' : 'unknown');

  function loadRenewals(prefix, withCustomer) {
    const table = `${prefix}renewals`;
    const clear = () => {
      fillTable(table, []);
      fillList(`${prefix}renewals-totals`, []);
    };
    return optional(
      async () => {
        const page = await call(RENEWALS, {
          withinDays: String(RENEWAL_DAYS),
          processedDateTime: state.day,
          filter: scopedFilter(),
          top: String(withCustomer ? PAGE : CUSTOMER_PAGE),
        });
        return () => {
          $(`${prefix}renewals-note`).classList.remove('unavailable');
          const lines = page.totals.map((t) => ({
            text: `${money(t.monthlyCostReducible, t.currency)} per month reducible — ${fmt.format(t.reducibleSeats)} seats`,
            currency: t.currency,
            amount: t.monthlyCostReducible,
          }));
          if (page.totalCount === 0) lines.push({ text: `No commitment ends within ${RENEWAL_DAYS} days.` });
          fillList(`${prefix}renewals-totals`, lines);
          $(`${prefix}renewals-note`).textContent =
            page.totalCount === 0
              ? ''
              : page.value.length < page.totalCount
                ? `Showing ${fmt.format(page.value.length)} of ${fmt.format(page.totalCount)} subscriptions ending by ${dayOffset(page.processedDate ?? state.day, RENEWAL_DAYS)}.`
                : `${fmt.format(page.totalCount)} ${page.totalCount === 1 ? 'subscription ends' : 'subscriptions end'} by ${dayOffset(page.processedDate ?? state.day, RENEWAL_DAYS)}.`;
          fillTable(
            table,
            page.value.map((r) => [
              ...(withCustomer ? [customerCell(r.customerTenantId, r.customerName)] : []),
              cell(r.friendlyName || r.offerName),
              cell(r.commitmentEndDate, 'date'),
              num(r.daysUntilEnd),
              num(r.quantity),
              num(r.licensesUnassigned),
              num(r.reducibleSeats),
              cell(autoRenew(r.autoRenewEnabled)),
              moneyCell(r.monthlyCostReducible, r.currency),
              cell(r.currency ?? ''),
            ]),
          );
        };
      },
      `${prefix}renewals-note`,
      clear,
    );
  }

  // ---- Customer page --------------------------------------------------------------------------

  async function loadCustomerHeader() {
    const page = await call(E5, {
      groupby: 'customerTenantId,customerName',
      processedDateTime: state.day,
      filter: scopedFilter(),
    });
    return () => {
      const name = page.Value[0]?.customerName ?? state.customer;
      $('customer-name').textContent = name;
      $('customer-id').textContent = `Customer tenant ${state.customer}, snapshot ${state.day}`;
      document.title = `${name} — Seatwise`;
      let sold = 0;
      let deployed = 0;
      for (const g of page.Value) {
        sold += g.licensesSold;
        deployed += g.licensesDeployed;
      }
      setKpis('c-', sold, deployed);
    };
  }

  async function loadCustomerTrend() {
    const trend = await call(TREND, {
      groupby: 'productId,productName',
      from: dayOffset(state.day, 1 - TREND_DAYS),
      to: state.day,
      filter: scopedFilter(),
    });
    return () => {
      const today = trend.value.filter((v) => v.processedDate === state.day);
      $('c-products-note').textContent =
        today.length === 0 ? `No products of this customer on ${state.day}.` : '';
      fillTable(
        'c-products',
        today.map((v) => [
          cell(v.productName),
          cell(v.productId, 'id'),
          num(v.licensesSold),
          num(v.licensesDeployed),
          num(Math.max(0, v.licensesSold - v.licensesDeployed)),
          pct(v.licensesDeployed, v.licensesSold),
        ]),
      );
      $('c-history-details').hidden = trend.value.length === 0;
      $('c-history-count').textContent = fmt.format(trend.value.length);
      fillTable(
        'c-history',
        trend.value.map((v) => [
          cell(v.processedDate, 'date'),
          cell(v.productName),
          num(v.licensesSold),
          num(v.licensesDeployed),
          num(Math.max(0, v.licensesSold - v.licensesDeployed)),
          pct(v.licensesDeployed, v.licensesSold),
        ]),
      );
      const days = [...new Set(trend.value.map((v) => v.processedDate))];
      const products = [...new Map(trend.value.map((v) => [v.productId, v.productName])).entries()].sort(
        ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
      );
      const series = (productId, field) =>
        days.map((d) => {
          const v = trend.value.find((x) => x.processedDate === d && x.productId === productId);
          return v ? v[field] : null;
        });
      const datasets = products.flatMap(([id, name], i) => [
        {
          label: `${name} assigned`,
          data: series(id, 'licensesDeployed'),
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length],
          tension: 0.2,
        },
        {
          label: `${name} sold`,
          data: series(id, 'licensesSold'),
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length],
          borderDash: [6, 4],
          pointRadius: 0,
          tension: 0.2,
        },
      ]);
      drawChart('c-trend', {
        type: 'line',
        data: { labels: days, datasets },
        options: {
          ...lineOptions('licenses', { suggestedMin: 0 }),
          // One legend entry per product: its dashed "sold" line shares the colour.
          plugins: { legend: { labels: { filter: (item) => !item.text.endsWith(' sold') } } },
        },
      });
    };
  }

  // ---- Rendering ------------------------------------------------------------------------------

  let generation = 0;
  /** What the drawn panels have to say in the status line (e.g. a day without a snapshot). */
  let notice = '';
  let pendingFocus = null;

  function syncControls() {
    $('day').value = state.day;
    if (document.activeElement !== $('filter') || $('filter').value.trim() === state.filter) {
      $('filter').value = state.filter;
    }
    $('back').href = stateUrl({ ...state, customer: '' });
  }

  function setStatus(text, isError = false) {
    $('status').textContent = text;
    $('status').classList.toggle('error', isError);
  }

  async function render(options = {}) {
    const mine = ++generation;
    const stale = () => mine !== generation;
    document.body.dataset.ready = 'false';
    setStatus('Loading…');
    syncControls();
    try {
      if (!state.day) {
        const day = await latestDay();
        if (stale()) return;
        if (day === null) {
          setStatus('No data yet: load some with "seatwise import" or "seatwise demo".');
          document.body.dataset.ready = 'true';
          return;
        }
        state = { ...state, day };
        history.replaceState(history.state, '', stateUrl(state));
        syncControls();
      }
      const fault = await checkFilter();
      if (stale()) return;
      if (fault) {
        $('content').hidden = true;
        setStatus('');
        showFilterError(fault);
        document.body.dataset.ready = 'true';
        return;
      }
      clearFilterError();
      const draws = await Promise.all(
        state.customer
          ? [loadCustomerHeader(), loadCustomerTrend(), loadCost('c-', false), loadRenewals('c-', false)]
          : [loadTotals(), loadMostUnassigned(), loadTrend(), loadCost('', true), loadRenewals('', true)],
      );
      if (stale()) return;
      $('content').hidden = false;
      $('overview').hidden = Boolean(state.customer);
      $('customer').hidden = !state.customer;
      if (!state.customer) document.title = 'Seatwise — licenses deployment';
      notice = '';
      for (const draw of draws) draw();
      setStatus(notice);
      const focusCustomer = options.focusCustomer ?? pendingFocus;
      pendingFocus = null;
      if (options.focus === 'customer') $('customer-name').focus();
      else if (focusCustomer && !state.customer) {
        const link = document.querySelector(`a.customer-link[data-customer="${CSS.escape(focusCustomer)}"]`);
        link?.focus();
      }
      document.body.dataset.ready = 'true';
    } catch (err) {
      if (stale()) return;
      setStatus(err.message, true);
      document.body.dataset.ready = 'true';
    }
  }

  async function latestDay() {
    const page = await call(E5, { top: '1' });
    const row = page.Value[0];
    return row ? row.processedDateTime.slice(0, 10) : null;
  }

  // ---- CSV of what is on screen ---------------------------------------------------------------

  function csvField(value, isText) {
    let text = value;
    // A text cell a spreadsheet would read as a formula is kept as text.
    if (isText && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }

  function tableCsv(table) {
    const lines = [[...table.tHead.rows[0].cells].map((th) => csvField(th.textContent, true))];
    for (const tr of table.tBodies[0].rows) {
      lines.push(
        [...tr.cells].map((td) =>
          td.dataset.value === undefined ? csvField(td.textContent, true) : csvField(td.dataset.value, false),
        ),
      );
    }
    return `${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
  }

  function download(button) {
    const table = $(button.dataset.table);
    const parts = ['seatwise', button.dataset.name];
    if (state.customer) parts.push(state.customer);
    parts.push(state.day);
    const blob = new Blob([tableCsv(table)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${parts.join('-')}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  // ---- Sign-in and events ---------------------------------------------------------------------

  function showSignIn(message) {
    $('signin').hidden = false;
    $('content').hidden = true;
    if (message) setStatus(message, true);
  }

  function start() {
    if (!takeToken()) return showSignIn();
    $('signin').hidden = true;
    state = readState();
    history.replaceState({ fromOverview: false, ...history.state }, '', stateUrl(state));
    void render();
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('seatwise.token', $('token-input').value.trim());
    start();
  });
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    const filter = $('filter').value.trim();
    $('filter').value = filter;
    if (filter === state.filter) void render();
    else navigate({ ...state, filter });
  });
  $('day').addEventListener('change', () => {
    if ($('day').value) navigate({ ...state, day: $('day').value });
  });
  $('back').addEventListener('click', (e) => {
    e.preventDefault();
    goOverview();
  });
  document.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const link = target?.closest('a.customer-link');
    if (link && e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      openCustomer(link.dataset.customer);
      return;
    }
    const button = target?.closest('button.csv');
    if (button) download(button);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.customer && !e.defaultPrevented) {
      e.preventDefault();
      goOverview();
    }
  });
  window.addEventListener('popstate', () => {
    state = readState();
    void render();
  });
  start();
})();
