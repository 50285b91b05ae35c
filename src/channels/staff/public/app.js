// The staff page: log in, the queue (live over server-sent events), a record's detail, review, FHIR download.
// Everything shown is set with textContent: what people typed is never read as HTML.
'use strict';

(function () {
  const RANK = { emergency: 3, urgent: 2, 'contact-clinician': 1, 'self-monitor': 0 };
  const LEVEL_TEXT = { emergency: 'Emergency', urgent: 'Urgent', 'contact-clinician': 'Contact clinician', 'self-monitor': 'Self-monitor' };
  const STATUS_TEXT = { new: 'New', reviewed: 'Reviewed', withdrawn: 'Withdrawn' };
  const FOLLOW_UP_TEXT = {
    temperature: 'Temperature', pump: 'Pump', timing: 'Timing', breathing: 'Breathing', suicidal: 'Thoughts of self-harm',
    alcohol: 'Alcohol', screen: 'Emergency screen', other: 'Other',
  };
  const $ = (id) => document.getElementById(id);
  let me = null;
  let queue = [];
  let events = null;
  let current = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function announce(text) {
    const a = $('announce');
    a.textContent = '';
    setTimeout(() => { a.textContent = text; }, 50);
  }

  const time = (iso) => el('time', { datetime: iso, text: new Date(iso).toLocaleString() });

  async function api(path, opts = {}) {
    const res = await fetch(path, {
      credentials: 'same-origin',
      ...opts,
      headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...(opts.headers || {}) },
    });
    if (res.status === 401 && path !== '/api/staff/login') {
      showLogin('Your session has ended. Please log in again.');
      throw new Error('unauthorized');
    }
    return res;
  }

  function show(view) {
    for (const id of ['login-view', 'queue-view', 'detail-view']) $(id).hidden = id !== view;
  }

  // ---- log in / out --------------------------------------------------------------------------------------------

  function showLogin(message) {
    me = null;
    if (events) { events.close(); events = null; }
    $('who').hidden = true;
    $('page-title').textContent = 'Intake queue';
    show('login-view');
    $('login-error').textContent = message || '';
    $('login-name').focus();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = $('login-name').value.trim();
    const password = $('login-password').value;
    if (!name || !password) {
      $('login-error').textContent = 'Enter your name and password.';
      return;
    }
    $('login-submit').disabled = true;
    $('login-error').textContent = '';
    try {
      const res = await api('/api/staff/login', { method: 'POST', body: JSON.stringify({ name, password }) });
      if (!res.ok) {
        $('login-error').textContent = res.status === 401 ? 'Wrong name or password.' : 'Could not log in. Try again.';
        return;
      }
      $('login-password').value = '';
      await started(await res.json());
    } finally {
      $('login-submit').disabled = false;
    }
  });

  $('logout').addEventListener('click', async () => {
    await fetch('/api/staff/logout', { method: 'POST', credentials: 'same-origin' });
    history.replaceState(null, '', '/staff');
    showLogin('You are logged out.');
  });

  async function started(who) {
    me = who;
    $('who-name').textContent = `${who.name}${who.admin ? ' (admin)' : ''} · ${who.centre.name}`;
    $('who').hidden = false;
    $('page-title').textContent = `Intake queue · ${who.centre.name}`;
    connect();
    await route();
  }

  // ---- queue ---------------------------------------------------------------------------------------------------

  function filters() {
    return { level: $('filter-level').value, status: $('filter-status').value };
  }

  function matches(r) {
    const f = filters();
    if (f.status && r.status !== f.status) return false;
    if (f.level && r.level !== f.level) return false;
    return true;
  }

  function sortQueue() {
    const rank = (r) => (r.level ? RANK[r.level] : -1);
    queue.sort((a, b) => rank(b) - rank(a) || b.createdAt.localeCompare(a.createdAt));
  }

  async function loadQueue() {
    const f = filters();
    const q = new URLSearchParams();
    if (f.level) q.set('level', f.level);
    if (f.status) q.set('status', f.status);
    const res = await api(`/api/records?${q}`);
    if (!res.ok) return;
    queue = (await res.json()).records;
    sortQueue();
    renderQueue();
    loadProblems();
  }

  function renderQueue() {
    const body = $('queue-body');
    body.replaceChildren(...queue.map(row));
    $('queue-empty').hidden = queue.length > 0;
  }

  function row(r) {
    const withdrawn = r.status === 'withdrawn';
    const level = withdrawn
      ? el('span', { class: 'muted', text: '—' })
      : el('span', { class: `level level-${r.level}`, text: LEVEL_TEXT[r.level] || r.level });
    const patterns = withdrawn
      ? el('span', { class: 'muted', text: r.note || 'withdrawn by the person' })
      : (r.patterns && r.patterns.length ? r.patterns.map((p) => `${p.id} (${p.status})`).join(', ') : 'None');
    const flags = withdrawn ? '' : (r.redFlags && r.redFlags.length ? r.redFlags.join(', ') : 'None');
    const status = [STATUS_TEXT[r.status] || r.status];
    if (r.alert === 'failed') status.push(' · alert failed');
    return el('tr', { 'data-ref': r.ref, class: withdrawn ? 'withdrawn' : `row-${r.level}` },
      el('td', {}, level),
      el('td', {}, time(r.createdAt)),
      el('td', {}, patterns),
      el('td', {}, flags),
      el('td', {}, ...status),
      el('td', {}, el('a', { href: `#record=${encodeURIComponent(r.ref)}`, class: 'ref', 'aria-label': `Open record ${r.ref}`, text: r.ref })));
  }

  function upsert(change) {
    const i = queue.findIndex((r) => r.ref === change.ref);
    const r = change.record;
    if (i >= 0) queue.splice(i, 1);
    if (r && matches(r)) queue.push(r);
    sortQueue();
    renderQueue();
    if (change.kind === 'created' && r && r.level) {
      announce(`New ${LEVEL_TEXT[r.level] || r.level} record ${r.ref}`);
    }
    if (current && current.ref === change.ref && change.kind !== 'alert' && change.kind !== 'created') openRecord(change.ref, false);
    if (change.kind === 'alert') loadProblems();
  }

  function connect() {
    if (events) events.close();
    events = new EventSource('/api/records/events');
    events.addEventListener('open', () => { $('live-state').textContent = 'Live: new records appear here as they arrive.'; });
    events.addEventListener('change', (e) => upsert(JSON.parse(e.data)));
    events.addEventListener('error', async () => {
      $('live-state').textContent = 'Reconnecting…';
      if (events && events.readyState === EventSource.CLOSED) {
        const res = await fetch('/api/staff/me', { credentials: 'same-origin' });
        if (res.status === 401) showLogin('Your session has ended. Please log in again.');
        else setTimeout(connect, 3000);
      }
    });
  }

  async function loadProblems() {
    const res = await api('/api/alerts');
    if (!res.ok) return;
    const { configured, problems } = await res.json();
    const box = $('alert-problems');
    if (!configured || !problems.length) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    box.replaceChildren(
      el('h3', { text: 'Alerts not delivered' }),
      el('ul', {}, problems.map((p) => el('li', {},
        el('a', { href: `#record=${encodeURIComponent(p.ref)}`, text: p.ref }),
        `: ${p.status === 'failed' ? 'gave up' : 'retrying'} after ${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`,
        p.lastError ? ` (${p.lastError})` : '',
        p.nextAttemptAt ? `, next ${new Date(p.nextAttemptAt).toLocaleTimeString()}` : ''))),
    );
  }

  $('filter-level').addEventListener('change', loadQueue);
  $('filter-status').addEventListener('change', loadQueue);
  $('filters').addEventListener('submit', (e) => e.preventDefault());

  // ---- detail --------------------------------------------------------------------------------------------------

  function section(title, ...content) {
    return el('section', { class: 'card' }, el('h3', { text: title }), ...content);
  }

  function dl(pairs) {
    return el('dl', {}, pairs.filter((p) => p[1] !== undefined && p[1] !== '').flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
  }

  async function openRecord(ref, focus = true) {
    const res = await api(`/api/records/${encodeURIComponent(ref)}`);
    show('detail-view');
    const body = $('detail-body');
    if (!res.ok) {
      current = null;
      $('detail-heading').textContent = `Record ${ref}`;
      body.replaceChildren(el('p', { text: res.status === 404 ? 'No such record in your centre (it may have expired or been deleted).' : 'Could not load the record.' }));
      $('review-form').hidden = true;
      $('fhir-link').hidden = true;
      $('delete').hidden = true;
      if (focus) $('detail-heading').focus();
      return;
    }
    const r = await res.json();
    current = r;
    $('detail-heading').textContent = `Record ${r.ref}`;
    if (r.status === 'withdrawn') {
      body.replaceChildren(
        el('p', { class: 'withdrawn-note', text: `Withdrawn by the person${r.withdrawnAt ? ` on ${new Date(r.withdrawnAt).toLocaleString()}` : ''}. Nothing of its content is kept.` }));
      $('review-form').hidden = true;
      $('fhir-link').hidden = true;
    } else {
      const a = r.assessment;
      const answers = r.answers || {};
      const follow = Object.entries(answers.followUps || {}).filter(([, v]) => v);
      body.replaceChildren(...[
        section('Summary', dl([
          ['Level', el('span', { class: `level level-${a.level}`, text: LEVEL_TEXT[a.level] || a.level })],
          ['What to do', a.headline],
          ['Status', STATUS_TEXT[r.status] || r.status],
          ['Received', time(r.createdAt)],
          ['Channel', r.channel],
          ['Client reference', r.clientReference],
          ['Consent', r.consent ? `${r.consent.by === 'person' ? 'Given by the person' : 'Given through the integration'} at ${new Date(r.consent.at).toLocaleString()}` : undefined],
          ['Knowledge version', r.knowledgeVersion],
          ['Kept until', time(r.expiresAt)],
        ])),
        section('The person\'s answers', dl([
          ['Medicines', answers.medications || '(none given)'],
          ['Recent changes', answers.doseChanges || '(none given)'],
          ['Symptoms', answers.symptoms || '(none given)'],
          ...follow.map(([k, v]) => [FOLLOW_UP_TEXT[k] || k, v]),
        ])),
        section('Reasons and evidence',
          a.redFlags.length ? el('h4', { text: 'Red flags' }) : null,
          a.redFlags.length ? el('ul', {}, a.redFlags.map((f) => el('li', {}, el('strong', { text: f.id }), `: ${f.evidence}`))) : null,
          el('h4', { text: 'Patterns' }),
          el('ul', {}, a.patterns.map((p) => el('li', {}, el('strong', { text: p.id }), ` ${p.status}`, p.evidence.length ? `: ${p.evidence.join('; ')}` : ''))),
          a.reasons && a.reasons.length ? el('h4', { text: 'Rules that set the level' }) : null,
          a.reasons && a.reasons.length ? el('ul', {}, a.reasons.map((x) => el('li', { text: `${x.text} (${x.level})` }))) : null,
        ),
        section('Reviews', r.reviews.length
          ? el('ul', {}, r.reviews.map((v) => el('li', {}, el('strong', { text: v.by }), ' ', time(v.at), v.note ? `: ${v.note}` : '')))
          : el('p', { text: 'Not reviewed yet.' })),
        r.alerts.length ? section('Alert', el('ul', {}, r.alerts.map((x) => el('li', {
          text: `${x.status}${x.attempts ? ` after ${x.attempts} attempt${x.attempts === 1 ? '' : 's'}` : ''}${x.lastError ? ` (${x.lastError})` : ''}`,
        })))) : null,
      ].filter(Boolean));
      $('review-form').hidden = false;
      $('review-error').textContent = '';
      const link = $('fhir-link');
      link.href = `/api/records/${encodeURIComponent(r.ref)}/fhir`;
      link.setAttribute('download', `intake-${r.ref}.fhir.json`);
      link.hidden = false;
    }
    $('delete').hidden = !(me && me.admin);
    if (focus) $('detail-heading').focus();
  }

  $('review-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!current) return;
    $('review-submit').disabled = true;
    try {
      const res = await api(`/api/records/${encodeURIComponent(current.ref)}/review`, { method: 'POST', body: JSON.stringify({ note: $('review-note').value }) });
      if (!res.ok) {
        $('review-error').textContent = (await res.json().catch(() => ({}))).error || 'Could not save the review.';
        return;
      }
      $('review-note').value = '';
      announce(`Record ${current.ref} marked reviewed`);
      await openRecord(current.ref, false);
    } finally {
      $('review-submit').disabled = false;
    }
  });

  $('delete').addEventListener('click', async () => {
    if (!current || !window.confirm(`Delete record ${current.ref} for good?`)) return;
    const res = await api(`/api/records/${encodeURIComponent(current.ref)}`, { method: 'DELETE' });
    if (res.ok) {
      announce(`Record ${current.ref} deleted`);
      location.hash = '';
    }
  });

  $('back').addEventListener('click', () => { location.hash = ''; });

  // ---- routing -------------------------------------------------------------------------------------------------

  async function route() {
    if (!me) return;
    const m = /^#record=([^&]+)$/.exec(location.hash);
    if (m) return openRecord(decodeURIComponent(m[1]));
    current = null;
    show('queue-view');
    await loadQueue();
  }

  window.addEventListener('hashchange', route);

  (async () => {
    const res = await fetch('/api/staff/me', { credentials: 'same-origin' });
    if (res.ok) await started(await res.json());
    else showLogin();
  })();
})();
