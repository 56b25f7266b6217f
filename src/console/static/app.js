// The console's little client script: live updates over server-sent events (the server sends
// the live region already rendered and escaped), the drill's role picker, action clicks as JSON
// POSTs, and the SLA countdowns ticking between pushes. Messages are shown with textContent only.
'use strict';

const body = document.body;
const incidentId = body.dataset.incident;
const live = document.getElementById('live');
const flash = document.getElementById('flash');
const conn = document.getElementById('conn');
const picker = document.getElementById('as');

function say(text, ok) {
  if (!flash) return;
  flash.textContent = text;
  flash.className = ok ? 'show ok' : 'show error';
  clearTimeout(say.timer);
  say.timer = setTimeout(
    () => {
      flash.className = '';
    },
    ok ? 4000 : 9000,
  );
}

// ---- live updates ---------------------------------------------------------------------------
// The thread reads top to bottom like the Slack thread: keep its newest line in view, unless the
// reader has scrolled up to read something older.
let threadPinned = true;
function pinThread(previousTop) {
  const thread = document.getElementById('thread');
  if (!thread) return;
  thread.scrollTop = threadPinned ? thread.scrollHeight : (previousTop ?? 0);
  thread.onscroll = () => {
    threadPinned = thread.scrollTop + thread.clientHeight >= thread.scrollHeight - 8;
  };
}
pinThread();

if (live?.dataset.live && 'EventSource' in window) {
  const source = new EventSource(live.dataset.live);
  source.addEventListener('open', () => {
    conn?.classList.add('on');
    conn?.setAttribute('title', 'live: updates arrive without a reload');
  });
  source.addEventListener('error', () => {
    conn?.classList.remove('on');
    conn?.setAttribute('title', 'reconnecting…');
  });
  source.addEventListener('region', (e) => {
    if (live.innerHTML === e.data) return;
    const previousTop = document.getElementById('thread')?.scrollTop;
    live.innerHTML = e.data;
    pinThread(previousTop);
    live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
    tick();
  });
}

// ---- SLA countdowns -------------------------------------------------------------------------
function duration(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${sec}s` : `${sec}s`;
}
function tick() {
  for (const el of document.querySelectorAll('[data-due]')) {
    const left = Date.parse(el.dataset.due) - Date.now();
    el.textContent = left >= 0 ? `${duration(left)} left` : `overdue by ${duration(left)}`;
    el.closest('li')?.classList.toggle('sla-overdue', left < 0);
  }
}
tick();
setInterval(tick, 1000);

// ---- the role picker (drill mode) ------------------------------------------------------------
if (picker) {
  const saved = localStorage.getItem('rc-console-as');
  if (saved && [...picker.options].some((o) => o.value === saved)) picker.value = saved;
  picker.addEventListener('change', () => localStorage.setItem('rc-console-as', picker.value));
}

// ---- actions --------------------------------------------------------------------------------
const ASK = {
  skip: {
    title: 'Skip this step',
    help: 'Say why (it goes in the timeline and the summary).',
    required: true,
    field: 'reason',
  },
  abort: {
    title: 'Abort this step',
    help: 'Stops the step where it is. Nothing is undone; it can be retried or skipped.',
    required: false,
    field: 'reason',
  },
  confirm: { title: 'Confirm', help: 'What did you check? (optional)', required: false, field: 'note' },
  mark_critical: {
    title: 'Mark the incident critical',
    help: 'Security exposure or data corruption: the backup restore steps are offered, with the two-person rule. Say what was found.',
    required: true,
    field: 'reason',
  },
  abort_incident: {
    title: 'Abort the rollback',
    help: 'Stops every running step; nothing more runs from this checklist. Say why.',
    required: true,
    field: 'reason',
  },
  correct_times: { title: 'Correct times', help: 'UTC, ISO 8601. Leave a field empty to keep it.', times: true },
};

function ask(action) {
  const spec = ASK[action];
  const dialog = document.getElementById('ask');
  if (!spec || !dialog) return Promise.resolve({});
  document.getElementById('ask-title').textContent = spec.title;
  document.getElementById('ask-help').textContent = spec.help;
  const text = document.getElementById('ask-text');
  const times = document.getElementById('ask-times');
  document.getElementById('ask-text-label').hidden = !!spec.times;
  times.hidden = !spec.times;
  text.value = '';
  text.required = !!spec.required;
  for (const input of times.querySelectorAll('input')) input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') return resolve(null);
        if (spec.times) {
          const impact = document.getElementById('ask-impact').value.trim();
          const detected = document.getElementById('ask-detected').value.trim();
          return resolve({
            ...(impact ? { impactStartedAt: impact } : {}),
            ...(detected ? { detectedAt: detected } : {}),
          });
        }
        resolve(text.value.trim() ? { [spec.field]: text.value.trim() } : {});
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
  });
}

document.addEventListener('click', async (e) => {
  const button = e.target instanceof Element ? e.target.closest('button[data-action]') : null;
  if (!button || button.disabled || body.dataset.mode !== 'drill' || !incidentId) return;
  const action = button.dataset.action;
  const extra = await ask(action);
  if (extra === null) return;
  const request = { action, as: picker ? picker.value : 'release_captain', ...extra };
  if (button.dataset.step) request.step = button.dataset.step;
  if (button.dataset.version) request.version = Number(button.dataset.version);
  button.disabled = true;
  try {
    const res = await fetch(`/api/incidents/${encodeURIComponent(incidentId)}/actions`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const answer = await res.json().catch(() => ({ ok: false, error: { message: `HTTP ${res.status}` } }));
    say(answer.ok ? answer.message : `Refused: ${answer.error?.message ?? `HTTP ${res.status}`}`, answer.ok);
  } catch (err) {
    say(`Could not reach the bot: ${err}`, false);
  } finally {
    button.disabled = false;
  }
});
