// The web chat page: a permanent emergency line, a call-now panel for emergency results, and Web Chat itself.
// No inline script or style, so the Content-Security-Policy can forbid them (Web Chat's own styles excepted).

export interface PageOptions {
  locale: string;
  emergencyNumber: string;
  /** Site owner's settings for an embed: window title and accent colour (#rrggbb). */
  title?: string;
  accent?: string;
}

const TEXT = {
  en: {
    title: 'Medication symptom check',
    emergency: 'In an emergency, call {n} now.',
    notDiagnosis: 'This chat is not a diagnosis and does not replace a clinician.',
    callNowHeading: 'This needs emergency help now',
    callNow: 'Call {n} now',
    chatLabel: 'Chat with the triage bot',
    noScript: 'This chat needs JavaScript. In an emergency, call {n} now.',
    unavailable: 'The chat is not available right now. In an emergency, call {n} now.',
  },
  es: {
    title: 'Revisión de síntomas por medicamentos',
    emergency: 'En una emergencia, llame al {n} ahora.',
    notDiagnosis: 'Este chat no es un diagnóstico y no reemplaza a un profesional de salud.',
    callNowHeading: 'Esto necesita ayuda de emergencia ahora',
    callNow: 'Llame al {n} ahora',
    chatLabel: 'Chat con el bot de triaje',
    noScript: 'Este chat necesita JavaScript. En una emergencia, llame al {n} ahora.',
    unavailable: 'El chat no está disponible ahora. En una emergencia, llame al {n} ahora.',
  },
} as const;

export type PageText = { [K in keyof typeof TEXT.en]: string };

export function pageText(locale: string): PageText {
  return locale.toLowerCase().startsWith('es') ? TEXT.es : TEXT.en;
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** tel: URIs take digits and a leading +; anything else in a number is presentation. */
export const telHref = (n: string) => `tel:${n.replace(/[^\d+]/g, '')}`;

export function renderPage(o: PageOptions): string {
  const t = pageText(o.locale);
  const n = escapeHtml(o.emergencyNumber);
  const fill = (s: string) => escapeHtml(s).replace('{n}', `<a href="${telHref(o.emergencyNumber)}">${n}</a>`);
  const title = escapeHtml(o.title ?? t.title);
  return `<!doctype html>
<html lang="${escapeHtml(o.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/webchat/app.css">
</head>
<body>
<header class="top">
  <h1>${title}</h1>
  <p class="emergency-line" id="emergency-line"><strong>${fill(t.emergency)}</strong> ${escapeHtml(t.notDiagnosis)}</p>
</header>
<section id="call-now" class="call-now" role="alert" aria-labelledby="call-now-heading" hidden>
  <h2 id="call-now-heading">${escapeHtml(t.callNowHeading)}</h2>
  <p id="call-now-headline"></p>
  <a id="call-now-link" class="call-now-link" href="${telHref(o.emergencyNumber)}">${escapeHtml(t.callNow.replace('{n}', o.emergencyNumber))}</a>
</section>
<main id="webchat" class="webchat" aria-label="${escapeHtml(t.chatLabel)}"
  data-locale="${escapeHtml(o.locale)}" data-emergency="${n}" data-call-now="${escapeHtml(t.callNow)}"
  data-unavailable="${escapeHtml(t.unavailable)}"${o.accent ? ` data-accent="${escapeHtml(o.accent)}"` : ''}></main>
<noscript><p class="noscript">${fill(t.noScript)}</p></noscript>
<script src="/webchat/webchat.js"></script>
<script src="/webchat/app.js"></script>
</body>
</html>
`;
}

/** Only this origin; Azure's Direct Line too when it is used. Web Chat injects its styles (emotion), hence inline styles.
 * Framing: only the sites of FRAME_ANCESTORS (default this origin alone). */
export function contentSecurityPolicy(directLineOrigin?: string, frameAncestors: string[] = ["'self'"]): string {
  const connect = ["'self'", ...(directLineOrigin ? [directLineOrigin, directLineOrigin.replace(/^https:/, 'wss:')] : [])];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    `connect-src ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    // Clinics embed the page in their own sites (README): they are named in FRAME_ANCESTORS; no one else can frame it
    // (clickjacking the chat, or overlaying its emergency line).
    `frame-ancestors ${frameAncestors.join(' ')}`,
  ].join('; ');
}
