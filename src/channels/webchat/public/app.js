// Starts Web Chat against the Direct Line the server names, and shows the call-now panel on an emergency result.
/* global WebChat */
'use strict';

(function () {
  var root = document.getElementById('webchat');
  var cfg = root.dataset;

  function showCallNow(assessment) {
    var panel = document.getElementById('call-now');
    var contact = (assessment.contacts || []).filter(function (c) { return c.kind === 'emergency'; })[0];
    var number = (contact && contact.number) || cfg.emergency;
    var link = document.getElementById('call-now-link');
    link.href = 'tel:' + String(number).replace(/[^\d+]/g, '');
    link.textContent = cfg.callNow.replace('{n}', number);
    document.getElementById('call-now-headline').textContent = assessment.headline || '';
    // Once shown it stays: a later, calmer result must not hide an emergency the person may still be in.
    panel.hidden = false;
    document.body.classList.add('has-emergency');
  }

  function unavailable() {
    var p = document.createElement('p');
    p.className = 'unavailable';
    p.setAttribute('role', 'alert');
    p.textContent = cfg.unavailable.replace('{n}', cfg.emergency);
    root.appendChild(p);
  }

  // The result event ("triage.result") carries the assessment; it is not shown by Web Chat itself.
  var store = WebChat.createStore({}, function () {
    return function (next) {
      return function (action) {
        var a = action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload && action.payload.activity;
        if (a && a.type === 'event' && a.name === 'triage.result' && a.value && a.value.level === 'emergency') showCallNow(a.value);
        return next(action);
      };
    };
  });

  var accent = cfg.accent || '#0F5C8C';
  fetch('/api/webchat/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    .then(function (r) { if (!r.ok) throw new Error('token ' + r.status); return r.json(); })
    .then(function (conn) {
      var domain = conn.domain.charAt(0) === '/' ? location.origin + conn.domain : conn.domain;
      WebChat.renderWebChat({
        // webSocket false for the local Direct Line: it serves polling only (with it on, nothing would ever arrive).
        directLine: WebChat.createDirectLine({ domain: domain, token: conn.token, webSocket: conn.webSocket, pollingInterval: 500 }),
        store: store,
        userID: conn.userId,
        locale: cfg.locale,
        styleOptions: {
          accent: accent,
          bubbleFromUserBackground: accent,
          bubbleFromUserTextColor: '#FFFFFF',
          suggestedActionBorderColor: accent,
          suggestedActionTextColor: accent,
          hideUploadButton: true, // no photos or files: they would be health data we do not need
          markdownRenderHTML: false, // bot text is never raw HTML
          adaptiveCardsParserMaxVersion: '1.5',
          sendBoxTextWrap: true,
          primaryFont: 'system-ui, "Liberation Sans", Arial, sans-serif',
        },
      }, root);
    })
    .catch(unavailable);
})();
