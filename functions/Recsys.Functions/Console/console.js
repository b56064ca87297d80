// The Recsys console: plain JavaScript over the manage and runtime APIs, with the master key the person typed
// (kept in this tab's sessionStorage only). Every page reads the API afresh; pages with work in progress poll it.
'use strict';

(() => {
  const KEY = 'recsys.masterKey';
  const API = '../';
  const POLL_MS = 2000;
  const TERMINAL = new Set(['ACTIVE', 'CREATE FAILED', 'CREATE STOPPED']);
  const COLORS = ['#2f6fdf', '#e07b39', '#2a9d6f', '#b04fc4', '#c9a227', '#d1495b', '#4f9fc4', '#6d6875'];
  const PHASES = [['load', 'load data'], ['split', 'split'], ['tuning', 'tune candidates'], ['evaluation', 'evaluate'], ['final', 'train final'], ['saving', 'save']];
  const $ = (selector) => document.querySelector(selector);
  let charts = [];

  // ---- the API --------------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  async function api(path, { method = 'GET', body, text = false } = {}) {
    const headers = { 'x-functions-key': sessionStorage.getItem(KEY) || '' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, `The app does not answer (${e.message}). Is it running?`);
    }
    const content = await response.text();
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const problem = JSON.parse(content);
        detail = problem.detail || problem.title || detail;
        if (problem.errors) detail += ' ' + Object.entries(problem.errors).map(([field, messages]) => `[${field}] ${[].concat(messages).join(' ')}`).join(' ');
      } catch { /* not a problem document: keep the status line */ }
      throw new ApiError(response.status, detail);
    }
    if (text) return content;
    return content ? JSON.parse(content) : {};
  }

  // Follows nextToken until the list ends.
  async function listAll(path, property) {
    const items = [];
    let next = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await api(path + (next ? `${separator}nextToken=${encodeURIComponent(next)}` : ''));
      items.push(...(page[property] || []));
      next = page.nextToken;
    } while (next);
    return items;
  }

  const versionId = (arn) => arn.split(':solution/')[1] || arn;
  const nameOf = (arn) => (arn || '').split('/').slice(1).join('/') || arn;

  // ---- DOM helpers ----------------------------------------------------------------------------------------------

  function h(tag, props, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'class') element.className = value;
      else if (name === 'style') element.style.cssText = value;
      else element.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  const status = (value) => h('span', { class: `status ${value || ''}`, 'data-status': value }, value || '');
  const num = (value, digits) => (value === undefined || value === null) ? '' : (digits === undefined ? Number(value).toLocaleString('en-US') : Number(value).toFixed(digits));
  const when = (iso) => iso ? new Date(iso).toLocaleString() : '';
  const table = (headers, rows, props) => h('table', props,
    h('thead', {}, h('tr', {}, headers.map((title) => h('th', { class: title.endsWith('#') ? 'num' : undefined }, title.replace(/#$/, ''))))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'None yet.'))));

  function showProblem(error) {
    const box = $('#problem');
    box.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    box.hidden = false;
    if (error instanceof ApiError && error.status === 401) {
      box.textContent += ' — the key was not accepted: enter the master key again.';
      signOut();
    }
  }

  function clearProblem() { $('#problem').hidden = true; }

  // Polls while the page that asked is shown: a page replaced by another one stops its own polling.
  function poll(page, work) {
    const id = setInterval(async () => {
      if (!page.isConnected) { clearInterval(id); return; }
      try { await work(); } catch (e) { showProblem(e); }
    }, POLL_MS);
  }

  // ---- sign in --------------------------------------------------------------------------------------------------

  function signOut() {
    sessionStorage.removeItem(KEY);
    render();
  }

  $('#sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $('#key').value.trim());
    try {
      await api('manage/dataset-groups?maxResults=1');
      $('#key').value = '';
      clearProblem();
      if (!location.hash || location.hash === '#/') location.hash = '#/datasets';
      else render();
    } catch (e) {
      sessionStorage.removeItem(KEY);
      showProblem(e);
    }
  });

  $('#sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', render);

  // ---- pages ----------------------------------------------------------------------------------------------------

  async function render() {
    charts.forEach((chart) => chart.destroy());
    charts = [];
    const signedIn = !!sessionStorage.getItem(KEY);
    $('#sign-in').hidden = signedIn;
    $('#nav').hidden = !signedIn;
    $('#sign-out').hidden = !signedIn;
    // Each render draws into a new element, so that a slower page still loading cannot draw into the next one.
    const page = h('section', {});
    $('#page').replaceChildren(page);
    if (!signedIn) return;

    const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'datasets').split('/').map(decodeURIComponent);
    document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === (name === 'versions' ? 'solutions' : name)));
    const pages = { datasets: datasetsPage, imports: importsPage, solutions: solutionsPage, versions: versionPage, campaigns: campaignsPage, filters: filtersPage };
    $('#page').dataset.page = name;
    try {
      clearProblem();
      await (pages[name] || datasetsPage)(page, rest);
    } catch (e) {
      showProblem(e);
    }
  }

  // A dataset's rows as its imports left them: the last ACTIVE FULL import, plus the INCREMENTAL ones after it.
  function rowsOf(jobs) {
    let rows = 0;
    for (const job of [...jobs].sort((a, b) => a.creationDateTime.localeCompare(b.creationDateTime))) {
      if (job.status !== 'ACTIVE') continue;
      rows = job.importMode === 'INCREMENTAL' ? rows + (job.rowsImported || 0) : (job.rowsImported || 0);
    }
    return rows;
  }

  async function datasetsPage(page) {
    page.append(h('h2', {}, 'Dataset groups'));
    const [groups, jobs] = await Promise.all([listAll('manage/dataset-groups?maxResults=100', 'datasetGroups'), listAll('manage/dataset-import-jobs?maxResults=100', 'datasetImportJobs')]);
    if (!groups.length) page.append(h('p', { class: 'empty' }, 'No dataset groups yet. `dotnet run --project functions/Recsys.Cli -- quickstart your.csv` makes one from a CSV.'));
    for (const group of groups) {
      const datasets = await listAll(`manage/datasets?datasetGroupArn=${encodeURIComponent(group.datasetGroupArn)}`, 'datasets');
      page.append(h('div', { class: 'card', 'data-group': group.name },
        h('h3', {}, group.name, ' ', status(group.status), ' ', h('span', { class: 'muted' }, group.domain || '')),
        table(['Type', 'Dataset', 'Schema', 'Status', 'Rows#', 'Last import'], datasets.map((d) => {
          const own = jobs.filter((j) => j.datasetArn === d.datasetArn);
          const last = own.sort((a, b) => b.creationDateTime.localeCompare(a.creationDateTime))[0];
          return h('tr', { 'data-dataset': d.datasetType },
            h('td', {}, d.datasetType), h('td', {}, d.name), h('td', {}, nameOf(d.schemaArn)), h('td', {}, status(d.status)),
            h('td', { class: 'num', 'data-rows': rowsOf(own) }, num(rowsOf(own))),
            h('td', {}, last ? [status(last.status), ' ', h('span', { class: 'muted' }, when(last.lastUpdatedDateTime))] : h('span', { class: 'muted' }, 'none')));
        }))));
    }
  }

  async function importsPage(page) {
    page.append(h('h2', {}, 'Import jobs'),
      h('p', { class: 'muted' }, 'A CSV dropped at imports/{group}/{Interactions|Items|Users}/… starts a job by itself (or: dotnet run --project functions/Recsys.Cli -- import …). This page follows them live.'));
    const body = h('div', {});
    const report = h('div', { id: 'report' });
    page.append(body, report);
    const draw = async () => {
      const jobs = (await listAll('manage/dataset-import-jobs?maxResults=100', 'datasetImportJobs'))
        .sort((a, b) => b.creationDateTime.localeCompare(a.creationDateTime));
      body.replaceChildren(table(['Job', 'Dataset', 'File', 'Mode', 'Status', 'Progress', 'Read#', 'Imported#', 'Rejected#', ''], jobs.map((job) => {
        const running = !TERMINAL.has(job.status);
        return h('tr', { 'data-job': job.jobName, 'data-location': job.dataSource && job.dataSource.dataLocation },
          h('td', {}, job.jobName), h('td', {}, nameOf(job.datasetArn)), h('td', {}, h('code', {}, job.dataSource ? job.dataSource.dataLocation : '')),
          h('td', {}, job.importMode), h('td', {}, status(job.status), job.failureReason ? h('div', { class: 'muted' }, job.failureReason) : null),
          h('td', {}, h('span', { class: `progress${running ? ' indeterminate' : ''}` }, h('span', { style: running ? '' : `width:100%;background:${job.status === 'ACTIVE' ? 'var(--ok)' : 'var(--bad)'}` }))),
          h('td', { class: 'num' }, num(job.rowsRead)), h('td', { class: 'num' }, num(job.rowsImported)), h('td', { class: 'num' }, num(job.rowsRejected)),
          h('td', {}, (job.rowsRejected > 0 || job.status === 'CREATE FAILED')
            ? h('button', { class: 'link', type: 'button', onclick: () => showReport(job.jobName, report) }, 'error report') : null));
      }), { id: 'import-jobs' }));
    };
    await draw();
    poll(page, draw);
  }

  async function showReport(jobName, target) {
    try {
      const text = await api(`manage/dataset-import-jobs/${encodeURIComponent(jobName)}/errors`, { text: true });
      target.replaceChildren(h('h3', {}, `Error report of ${jobName}`), h('pre', {}, text));
    } catch (e) {
      target.replaceChildren(h('h3', {}, `Error report of ${jobName}`), h('p', { class: 'muted' }, e.message));
    }
  }

  async function solutionsPage(page) {
    page.append(h('h2', {}, 'Solutions and versions'));
    const solutions = await listAll('manage/solutions', 'solutions');
    if (!solutions.length) page.append(h('p', { class: 'empty' }, 'No solutions yet.'));
    let running = false;
    for (const solution of solutions) {
      const versions = (await listAll(`manage/solution-versions?solutionArn=${encodeURIComponent(solution.solutionArn)}`, 'solutionVersions'))
        .sort((a, b) => b.creationDateTime.localeCompare(a.creationDateTime));
      running = running || versions.some((v) => !TERMINAL.has(v.status));
      page.append(h('div', { class: 'card', 'data-solution': solution.name },
        h('h3', {}, solution.name, ' ', h('span', { class: 'muted' }, `${nameOf(solution.recipeArn)} · ${nameOf(solution.datasetGroupArn)}`)),
        table(['Version', 'Status', 'Phase', 'Training time', 'Created'], versions.map((v) => h('tr', {},
          h('td', {}, h('a', { href: `#/versions/${versionId(v.solutionVersionArn)}`, 'data-version': versionId(v.solutionVersionArn) }, versionId(v.solutionVersionArn).split('/')[1])),
          h('td', {}, status(v.status), v.failureReason ? h('div', { class: 'muted' }, v.failureReason) : null),
          h('td', {}, `${v.phase} ${v.percentComplete}%`),
          h('td', {}, v.trainingHours ? `${(v.trainingHours * 3600).toFixed(1)} s` : ''),
          h('td', {}, when(v.creationDateTime)))))));
    }
    if (running) poll(page, render);
  }

  async function versionPage(page, [solution, version]) {
    const id = `${solution}/${version}`;
    const described = (await api(`manage/solution-versions/${id}`)).solutionVersion;
    page.append(h('p', {}, h('a', { href: '#/solutions' }, '← Solutions')),
      h('h2', {}, `Version ${id} `, status(described.status)),
      h('p', { class: 'muted' }, `${nameOf(described.recipeArn)} · ${described.trainingMode} · phase ${described.phase} ${described.percentComplete}%`,
        described.failureReason ? ` · ${described.failureReason}` : ''));
    if (!TERMINAL.has(described.status)) {
      page.append(h('div', { class: 'card' }, h('span', { class: 'progress' }, h('span', { style: `width:${described.percentComplete}%` })), ` ${described.phase}`));
      poll(page, async () => {
        const now = (await api(`manage/solution-versions/${id}`)).solutionVersion;
        if (now.status !== described.status || now.phase !== described.phase || now.percentComplete !== described.percentComplete) await render();
      });
      return;
    }
    if (described.status !== 'ACTIVE') return;

    // Offline metrics of this version beside the solution's other ACTIVE versions (newest 6).
    const siblings = (await listAll(`manage/solution-versions?solutionArn=${encodeURIComponent(described.solutionArn)}`, 'solutionVersions'))
      .filter((v) => v.status === 'ACTIVE').sort((a, b) => a.creationDateTime.localeCompare(b.creationDateTime)).slice(-6);
    const all = await Promise.all(siblings.map(async (v) => ({ id: versionId(v.solutionVersionArn), answer: await api(`manage/solution-versions/${versionId(v.solutionVersionArn)}/metrics`) })));
    const own = all.find((m) => m.id === id) || { answer: await api(`manage/solution-versions/${id}/metrics`) };
    const metrics = own.answer.metrics || {};
    const evaluation = own.answer.evaluation;

    page.append(h('h3', {}, 'Offline metrics at 5, 10 and 25'),
      h('p', { class: 'muted' }, evaluation ? evaluation.method : '', ` Catalogue coverage: ${num(metrics.coverage, 3)}.`));
    const plots = h('div', { class: 'charts', id: 'metric-charts' });
    page.append(plots);
    for (const [key, title] of [['normalized_discounted_cumulative_gain', 'nDCG'], ['precision', 'precision'], ['recall', 'recall']]) {
      const series = all.map((m) => [5, 10, 25].map((k) => m.answer.metrics[`${key}_at_${k}`] ?? null));
      plots.append(lineChart(title, ['@5', '@10', '@25'], all.map((m) => m.id.split('/')[1] + (m.id === id ? ' (this)' : '')), series));
    }
    page.append(table(['Metric', 'Value#'], Object.entries(metrics).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, num(v, 4)))), { id: 'metric-table' }));

    const phases = own.answer.phaseSeconds;
    page.append(h('h3', {}, 'Training phases'));
    if (phases) {
      const known = PHASES.filter(([key]) => phases[key] > 0);
      const sum = known.reduce((total, [key]) => total + phases[key], 0) || 1;
      page.append(h('div', { class: 'timeline', id: 'timeline' }, known.map(([key, label], i) => h('div', {
        style: `width:${(100 * phases[key] / sum).toFixed(2)}%;background:${COLORS[i % COLORS.length]}`, title: `${label}: ${phases[key].toFixed(1)} s`,
      }, label))),
      h('div', { class: 'legend' }, known.map(([key, label], i) => h('span', {}, h('i', { style: `background:${COLORS[i % COLORS.length]}` }), `${label} ${phases[key].toFixed(1)} s`)),
        h('span', {}, `total ${(phases.total || sum).toFixed(1)} s`)));
    } else {
      page.append(h('p', { class: 'muted' }, 'This version was trained before phase times were recorded.'));
    }

    const candidates = (evaluation && evaluation.candidates) || [];
    page.append(h('h3', {}, 'Candidate models (validation)'));
    if (candidates.length) {
      const labels = candidates.map((c) => Object.entries(c.hyperparameters).map(([k, v]) => k === 'model' ? v : `${k}=${v}`).join(' ') || 'default');
      page.append(h('div', { class: 'charts' }, barChart('Validation objective and blend weight', labels, [
        { label: 'objective', values: candidates.map((c) => c.objective), color: COLORS[0] },
        { label: 'blend weight', values: candidates.map((c) => c.blendWeight ?? 0), color: COLORS[1], scale: 'w' },
      ])));
      page.append(table(['Candidate', 'Objective#', 'Blend weight#', 'Seconds#'], candidates.map((c, i) => h('tr', {},
        h('td', {}, labels[i]), h('td', { class: 'num' }, num(c.objective, 4)), h('td', { class: 'num' }, c.blendWeight === undefined || c.blendWeight === null ? '—' : num(c.blendWeight, 3)),
        h('td', { class: 'num' }, num(c.seconds, 2)))), { id: 'candidates' }));
      if (evaluation.blendObjective) page.append(h('p', { class: 'muted' }, `The served blend scores ${num(evaluation.blendObjective, 4)} on validation.`));
    } else {
      page.append(h('p', { class: 'muted' }, 'One configuration was trained (no selection).'));
    }
  }

  function lineChart(title, xLabels, names, series) {
    const element = h('div', { class: 'chart', 'data-chart': title });
    const options = {
      title, width: 340, height: 230,
      scales: { x: { time: false, range: [-0.25, xLabels.length - 0.75] }, y: { range: (u, min, max) => [0, Math.max(max * 1.15, 0.01)] } },
      axes: [{ splits: () => xLabels.map((_, i) => i), values: (u, splits) => splits.map((i) => xLabels[i] ?? '') }, { size: 50 }],
      series: [{ label: 'K', value: (u, i) => xLabels[i] ?? '' }, ...names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true, size: 7 } }))],
    };
    charts.push(new uPlot(options, [xLabels.map((_, i) => i), ...series], element));
    // The plotted numbers as text too (the legend shows values only under the cursor).
    element.append(h('div', { class: 'muted values' }, names.map((name, i) => h('div', {}, `${name}: `,
      xLabels.map((x, j) => `${x} ${num(series[i][j], 4)}`).join(' · ')))));
    return element;
  }

  function barChart(title, labels, series) {
    const element = h('div', { class: 'chart', 'data-chart': title });
    const bars = (align) => uPlot.paths.bars({ size: [0.38, 60], align });
    const options = {
      title, width: Math.min(1100, 160 + 90 * labels.length), height: 300,
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(max * 1.15, 0.01)] }, w: { range: [0, 1] } },
      axes: [
        { splits: () => labels.map((_, i) => i), values: (u, splits) => splits.map((i) => labels[i] ?? ''), size: 60 },
        { size: 50, label: 'objective' },
        { scale: 'w', side: 1, size: 50, grid: { show: false }, label: 'blend weight' },
      ],
      series: [{ label: 'candidate', value: (u, i) => labels[i] ?? '' },
        ...series.map((s, i) => ({ label: s.label, scale: s.scale || 'y', fill: s.color, stroke: s.color, paths: bars(i === 0 ? -1 : 1), points: { show: false } }))],
    };
    charts.push(new uPlot(options, [labels.map((_, i) => i), ...series.map((s) => s.values)], element));
    return element;
  }

  async function campaignsPage(page, [campaignName]) {
    const campaigns = await listAll('manage/campaigns', 'campaigns');
    page.append(h('h2', {}, 'Campaigns'));
    page.append(table(['Campaign', 'Status', 'Serving', 'Metadata', 'Created'], campaigns.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/campaigns/${encodeURIComponent(c.name)}` }, c.name)), h('td', {}, status(c.status)),
      h('td', {}, h('a', { href: `#/versions/${versionId(c.servingSolutionVersionArn || c.solutionVersionArn)}` }, versionId(c.servingSolutionVersionArn || c.solutionVersionArn))),
      h('td', {}, c.campaignConfig && c.campaignConfig.enableMetadataWithRecommendations ? 'yes' : 'no'), h('td', {}, when(c.creationDateTime))))));
    const campaign = campaigns.find((c) => c.name === campaignName) || (campaigns.length === 1 ? campaigns[0] : null);
    if (!campaign) {
      if (campaigns.length) page.append(h('p', { class: 'muted' }, 'Pick a campaign to try it.'));
      return;
    }
    const solution = (await api(`manage/solutions/${encodeURIComponent(versionId(campaign.solutionVersionArn).split('/')[0])}`)).solution;
    const filters = await listAll(`manage/filters?datasetGroupArn=${encodeURIComponent(solution.datasetGroupArn)}`, 'Filters');
    const metadata = campaign.campaignConfig && campaign.campaignConfig.enableMetadataWithRecommendations ? await itemColumns(solution.datasetGroupArn) : [];
    page.append(h('h3', {}, `Try ${campaign.name}`));
    page.append(tryBox(campaign, metadata, filters, 'user'), tryBox(campaign, metadata, filters, 'item'));
  }

  // The Items dataset's metadata columns (textual fields are not returned as metadata).
  async function itemColumns(groupArn) {
    const datasets = await listAll(`manage/datasets?datasetGroupArn=${encodeURIComponent(groupArn)}`, 'datasets');
    const items = datasets.find((d) => d.datasetType === 'Items');
    if (!items) return [];
    const schema = JSON.parse((await api(`manage/schemas/${encodeURIComponent(nameOf(items.schemaArn))}`)).schema.schema);
    return schema.fields.filter((f) => f.name !== 'ITEM_ID' && !f.textual).map((f) => f.name).slice(0, 10);
  }

  function parametersOf(expression) {
    return [...new Set((expression.match(/\$[A-Za-z0-9_]+/g) || []).map((p) => p.slice(1)))];
  }

  // A "try it" form: recommendations for a user, or related items for an item, optionally through a filter.
  function tryBox(campaign, metadata, filters, kind, fixedFilter) {
    const id = h('input', { name: kind, placeholder: kind === 'user' ? 'user id, e.g. u42' : 'item id', required: true, 'data-try': kind });
    const count = h('input', { name: 'n', type: 'number', min: 1, max: metadata.length ? 50 : 500, value: 10, style: 'min-width:70px;width:70px' });
    const filterSelect = h('select', { name: 'filter' }, h('option', { value: '' }, 'no filter'), filters.map((f) => h('option', { value: f.filterArn }, f.name)));
    if (fixedFilter) filterSelect.value = fixedFilter.filterArn;
    const values = h('span', { class: 'filter-values' });
    const result = h('div', { class: 'try-result', 'data-result': kind });
    const expressions = new Map();
    const showParameters = async () => {
      values.replaceChildren();
      if (!filterSelect.value) return;
      if (!expressions.has(filterSelect.value)) expressions.set(filterSelect.value, (await api(`manage/filters/${encodeURIComponent(nameOf(filterSelect.value))}`)).filter.filterExpression);
      const expression = expressions.get(filterSelect.value);
      values.append(fixedFilter ? '' : h('span', { class: 'muted' }, h('code', {}, expression)), ...parametersOf(expression).map((p) => h('label', {}, `$${p} (e.g. "a","b")`, h('input', { 'data-parameter': p }))));
    };
    filterSelect.addEventListener('change', () => showParameters().catch(showProblem));
    if (fixedFilter) showParameters().catch(showProblem);
    const form = h('form', { class: 'inline', 'data-form': kind }, h('label', {}, kind === 'user' ? 'User' : 'Related to item', id), h('label', {}, 'How many', count),
      filters.length && !fixedFilter ? h('label', {}, 'Filter', filterSelect) : null, values, h('button', { type: 'submit' }, kind === 'user' ? 'Recommend' : 'Related items'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearProblem();
      const request = { campaignArn: campaign.campaignArn, numResults: Number(count.value) };
      request[kind === 'user' ? 'userId' : 'itemId'] = id.value.trim();
      if (filterSelect.value) {
        request.filterArn = filterSelect.value;
        const filterValues = {};
        values.querySelectorAll('[data-parameter]').forEach((input) => { if (input.value) filterValues[input.dataset.parameter] = input.value; });
        if (Object.keys(filterValues).length) request.filterValues = filterValues;
      }
      if (metadata.length) request.metadataColumns = { ITEMS: metadata };
      result.replaceChildren(h('p', { class: 'muted' }, 'Asking…'));
      try {
        const answer = await api('recommendations', { method: 'POST', body: request });
        result.replaceChildren(h('p', { class: 'muted' }, `recommendationId ${answer.recommendationId}`),
          table(['#', 'Item', 'Score#', ...metadata], answer.itemList.map((item, i) => h('tr', { 'data-item': item.itemId },
            h('td', {}, i + 1), h('td', {}, item.itemId), h('td', { class: 'num' }, item.score === undefined ? '' : num(item.score, 4)),
            metadata.map((m) => h('td', {}, item.metadata ? item.metadata[m] ?? '' : ''))))));
      } catch (e) {
        result.replaceChildren();
        showProblem(e);
      }
    });
    return h('div', { class: 'card' }, form, result);
  }

  async function filtersPage(page) {
    page.append(h('h2', {}, 'Filters'));
    const [filters, campaigns, solutions] = await Promise.all([listAll('manage/filters', 'Filters'), listAll('manage/campaigns', 'campaigns'), listAll('manage/solutions', 'solutions')]);
    if (!filters.length) page.append(h('p', { class: 'empty' }, 'No filters yet: POST /api/manage/filters with a filterExpression, e.g. EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase").'));
    const groupOf = new Map(solutions.map((s) => [s.solutionArn, s.datasetGroupArn]));
    for (const summary of filters) {
      const filter = (await api(`manage/filters/${encodeURIComponent(summary.name)}`)).filter;
      const card = h('div', { class: 'card', 'data-filter': filter.name },
        h('h3', {}, filter.name, ' ', status(filter.status), ' ', h('span', { class: 'muted' }, nameOf(filter.datasetGroupArn))),
        h('pre', {}, filter.filterExpression), filter.failureReason ? h('p', { class: 'muted' }, filter.failureReason) : null);
      const usable = campaigns.filter((c) => groupOf.get(c.solutionVersionArn.split('/').slice(0, 2).join('/')) === filter.datasetGroupArn);
      if (usable.length && filter.status === 'ACTIVE') {
        const campaignSelect = h('select', {}, usable.map((c) => h('option', { value: c.name }, c.name)));
        const box = h('div', {});
        const draw = () => { box.replaceChildren(tryBox(usable.find((c) => c.name === campaignSelect.value), [], [filter], 'user', filter)); };
        campaignSelect.addEventListener('change', draw);
        card.append(h('label', {}, 'Test with campaign', campaignSelect), box);
        draw();
      } else {
        card.append(h('p', { class: 'muted' }, 'No campaign of this dataset group to test it with.'));
      }
      page.append(card);
    }
  }

  render();
})();
