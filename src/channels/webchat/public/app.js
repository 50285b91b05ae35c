// Starts Web Chat against the Direct Line the server names, tells the bot the page's locale, shows the call-now panel
// on an emergency result (and takes it down on a new check), and brings the top of each result into view.
/* global WebChat */
'use strict';

(function () {
  var root = document.getElementById('webchat');
  var cfg = root.dataset;
  var panel = document.getElementById('call-now');

  function showCallNow(assessment) {
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

  // A new check, "start over" or "delete my data": nothing of the emergency is left in this conversation.
  function hideCallNow() {
    panel.hidden = true;
    document.body.classList.remove('has-emergency');
  }

  // Web Chat keeps the transcript scrolled to its end, where the offer of a new check sits below the result: the person
  // must first see the level and what to do. Once the result has been drawn and the transcript is still, its top is
  // brought to the top of the transcript.
  var scrollTimer = 0;
  function showResultTop(tries) {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(function () {
      var cards = root.querySelectorAll('.ac-adaptiveCard');
      var card = cards[cards.length - 1];
      if (!card) {
        if (tries > 0) showResultTop(tries - 1);
        return;
      }
      var activity = card.closest('.webchat__basic-transcript__activity') || card;
      activity.scrollIntoView({ block: 'start' });
      // Later replies of the same turn may still be coming in; look again once they have.
      if (tries > 0) showResultTop(tries - 1);
    }, 250);
  }

  function unavailable() {
    var p = document.createElement('p');
    p.className = 'unavailable';
    p.setAttribute('role', 'alert');
    p.textContent = cfg.unavailable.replace('{n}', cfg.emergency);
    root.appendChild(p);
  }

  // The result event ("triage.result") carries the assessment; it is not shown by Web Chat itself.
  var store = WebChat.createStore({}, function (api) {
    return function (next) {
      return function (action) {
        // Once connected, the page says which locale it speaks: the local Direct Line's join carries none, and the
        // greeting waits for this.
        if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
          setTimeout(function () {
            api.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: { locale: cfg.locale } } });
          }, 0);
        }
        var a = action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload && action.payload.activity;
        if (a && a.type === 'event' && a.name === 'triage.result' && a.value) {
          if (a.value.level === 'emergency') showCallNow(a.value);
          showResultTop(3);
        }
        if (a && a.type === 'event' && a.name === 'triage.reset') hideCallNow();
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
        // The locale goes with the start of the conversation, as Direct Line passes it to the bot's join.
        directLine: WebChat.createDirectLine({
          domain: domain, token: conn.token, webSocket: conn.webSocket, pollingInterval: 500,
          conversationStartProperties: { locale: cfg.locale },
        }),
        store: store,
        userID: conn.userId,
        locale: cfg.locale,
        styleOptions: {
          accent: accent,
          bubbleFromUserBackground: accent,
          bubbleFromUserTextColor: '#FFFFFF',
          suggestedActionBorderColor: accent,
          suggestedActionTextColor: accent,
          // The emergency screen offers every sign as a reply: wrapped, all in sight, rather than a carousel.
          suggestedActionLayout: 'flow',
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
