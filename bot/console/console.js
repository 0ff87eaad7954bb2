// Konsol petugas tilangbot: plain JS, no build step. Data is rendered with textContent only (never
// innerHTML), the session lives in an HttpOnly cookie, and state changes carry the X-CSRF-Token.
'use strict';

const state = {
  me: null,            // {username, role, csrf_token, sees_personal_data}
  tab: 'waiting',
  queue: [],
  selected: null,      // conversation id (opaque ref)
  conversation: null,
  canned: [],
  events: null,
  refreshTimer: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.classList.remove('hidden');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add('hidden'), 3500);
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.me) headers['X-CSRF-Token'] = state.me.csrf_token;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (res.status === 401 && path !== '/api/v1/login') {
    showLogin('Sesi berakhir. Silakan masuk lagi.');
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const rupiah = (n) => 'Rp' + Number(n || 0).toLocaleString('id-ID');

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  seconds = Math.max(0, Math.floor(seconds));
  if (seconds < 60) return seconds + ' dtk';
  const m = Math.floor(seconds / 60);
  if (m < 60) return m + ' mnt';
  const h = Math.floor(m / 60);
  return h + ' j ' + (m % 60) + ' mnt';
}

const stateLabel = { waiting: 'menunggu petugas', agent: 'ditangani petugas', bot: 'dilayani bot' };
const statusLabel = {
  queued: 'antre', sending: 'mengirim', accepted: 'diterima Meta', sent: 'terkirim', delivered: 'sampai',
  read: 'dibaca', failed: 'gagal', played: 'diputar',
};
const reportStatusLabel = { received: 'Diterima', in_progress: 'Diproses', done: 'Selesai', rejected: 'Ditolak' };
const roleLabel = { agent: 'petugas', supervisor: 'supervisor', admin: 'admin' };

// --- sign in ---------------------------------------------------------------------------------

function showLogin(message) {
  state.me = null;
  if (state.events) { state.events.close(); state.events = null; }
  $('app-view').classList.add('hidden');
  $('whoami').classList.add('hidden');
  $('login-view').classList.remove('hidden');
  $('login-error').textContent = message || '';
  $('login-username').focus();
}

async function startApp(me) {
  state.me = me;
  $('login-view').classList.add('hidden');
  $('app-view').classList.remove('hidden');
  $('whoami').classList.remove('hidden');
  $('whoami-name').textContent = me.username;
  $('whoami-role').textContent = roleLabel[me.role] || me.role;
  $('audit-card').classList.toggle('hidden', me.role !== 'admin');
  try {
    const canned = await api('GET', '/api/v1/canned-responses');
    state.canned = canned.items;
    const select = $('canned');
    select.replaceChildren(el('option', { value: '' }, 'Jawaban siap pakai…'),
      ...state.canned.map((c) => el('option', { value: String(c.id) }, c.title)));
  } catch (_) { /* optional */ }
  connectEvents();
  await refreshAll();
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('login-error').textContent = '';
  $('login-submit').disabled = true;
  try {
    const me = await api('POST', '/api/v1/login', {
      username: $('login-username').value.trim(), password: $('login-password').value,
    });
    $('login-password').value = '';
    await startApp(me);
  } catch (e) {
    $('login-error').textContent = e.status === 429 ? e.message
      : e.status === 401 ? 'Nama pengguna atau kata sandi salah.' : 'Gagal masuk: ' + e.message;
  } finally {
    $('login-submit').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/v1/logout', {}); } catch (_) { /* signed out anyway */ }
  showLogin('Anda sudah keluar.');
});

// --- live updates ------------------------------------------------------------------------------

function connectEvents() {
  if (state.events) state.events.close();
  const source = new EventSource('/api/v1/events');
  state.events = source;
  source.onmessage = () => scheduleRefresh();
  source.onopen = () => $('live').classList.remove('off');
  // Each answer ends the long poll; EventSource reconnects by itself. Only a failed reconnect is news.
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) $('live').classList.add('off'); };
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = null;
    await refreshAll();
  }, 250);
}

async function refreshAll() {
  if (!state.me) return;
  await Promise.allSettled([loadQueue(), loadCounts(), loadPayments(), loadReports(),
    state.selected ? loadConversation(state.selected) : Promise.resolve()]);
}

// --- queue -------------------------------------------------------------------------------------

document.querySelectorAll('.tab').forEach((tab) => tab.addEventListener('click', () => {
  document.querySelectorAll('.tab').forEach((t) => t.classList.toggle('active', t === tab));
  state.tab = tab.dataset.state;
  $('queue-hint').textContent = state.tab === 'waiting' ? 'Terlama menunggu di atas.' : 'Terbaru di atas.';
  loadQueue();
}));

async function loadCounts() {
  for (const s of ['waiting', 'agent']) {
    if (s === state.tab) continue;
    const data = await api('GET', '/api/v1/conversations?state=' + s);
    $('count-' + s).textContent = data.items.length;
  }
}

// An officer may work one topic's queue (the user's position stays that of the whole queue);
// the choice stays in this browser.
const topicKey = 'tilangbot.queueTopic';
const topicLabel = { denda: 'Cek denda', bayar: 'Bukti bayar', ambil: 'Ambil SIM/STNK', etle: 'e-TLE',
  lapor: 'Laporan KANDANI', info: 'Informasi', umum: 'Umum' };

// Fills a queue picker once (the first answer that lists the choices) and remembers the choice.
function setUpPicker(id, storageKey, allLabel, choices, reload) {
  const picker = $(id);
  if (picker.options.length > 0) return;
  picker.append(el('option', { value: '' }, allLabel), ...choices.map(([value, label]) => el('option', { value }, label)));
  picker.value = localStorage.getItem(storageKey) || '';
  picker.addEventListener('change', async () => {
    localStorage.setItem(storageKey, picker.value);
    await reload();
  });
}

async function loadQueue() {
  const topic = localStorage.getItem(topicKey) || '';
  const data = await api('GET', '/api/v1/conversations?state=' + state.tab + (topic ? '&topic=' + encodeURIComponent(topic) : ''));
  setUpPicker('queue-topic', topicKey, 'Semua topik', (data.topics || []).map((t) => [t, topicLabel[t] || t]), loadQueue);
  state.queue = data.items;
  state.queueLoadedAt = Date.now();
  if (state.tab !== 'bot') $('count-' + state.tab).textContent = data.items.length;
  renderQueue();
}

// The list is rebuilt only when what it shows changed; the waiting times tick in place. Replacing
// the nodes every second would swap the item under an officer's pointer between press and
// release, and the browser then drops the click.
function renderQueue() {
  const list = $('queue');
  if (state.queue.length === 0) {
    state.queueShown = '';
    list.replaceChildren(el('li', { class: 'hint' }, state.tab === 'waiting' ? 'Tidak ada yang menunggu.' : 'Kosong.'));
    return;
  }
  const shown = JSON.stringify([state.tab, state.selected,
    state.queue.map((c) => [c.id, c.name, c.wa_id, c.position, c.topic, c.state, c.owner, c.updated_at])]);
  if (shown !== state.queueShown) {
    state.queueShown = shown;
    list.replaceChildren(...state.queue.map((c) => el('li', {
      class: 'queue-item' + (c.id === state.selected ? ' selected' : ''),
      dataset: { id: c.id, wa: c.wa_id },
      onclick: () => selectConversation(c.id),
    },
    el('div', { class: 'row1' },
      el('span', {}, c.name || c.wa_id),
      c.position ? el('span', { class: 'pos', title: 'Posisi antrean' }, '#' + c.position) : null),
    el('div', { class: 'row2' },
      el('span', {}, c.name ? c.wa_id : (c.topic || stateLabel[c.state])),
      c.state === 'waiting'
        ? el('span', { class: 'wait' }, '')
        : el('span', {}, c.owner ? 'oleh ' + c.owner : c.updated_at)))));
  }
  tickWaiting();
}

function tickWaiting() {
  const elapsed = (Date.now() - (state.queueLoadedAt || Date.now())) / 1000;
  const byId = new Map(state.queue.map((c) => [String(c.id), c]));
  document.querySelectorAll('#queue .queue-item').forEach((item) => {
    const c = byId.get(item.dataset.id);
    const wait = item.querySelector('.wait');
    if (c && wait) wait.textContent = 'menunggu ' + duration(c.waiting_seconds + elapsed);
  });
}

setInterval(() => { if (state.me && state.tab === 'waiting') tickWaiting(); }, 1000);

// --- conversation ------------------------------------------------------------------------------

async function selectConversation(id) {
  state.selected = id;
  renderQueue();
  await loadConversation(id);
}

async function loadConversation(id) {
  const data = await api('GET', '/api/v1/conversations/' + encodeURIComponent(id) + '/messages');
  if (state.selected !== id) return;
  state.conversation = data.conversation;
  renderConversation(data);
}

function renderConversation(data) {
  const c = data.conversation;
  $('chat-empty').classList.add('hidden');
  $('chat').classList.remove('hidden');
  $('chat-title').textContent = (c.name ? c.name + ' · ' : '') + c.wa_id;
  const meta = [stateLabel[c.state] || c.state];
  if (c.owner) meta.push('petugas: ' + c.owner);
  if (c.topic) meta.push('topik: ' + c.topic);
  if (c.waiting_seconds !== null) meta.push('menunggu ' + duration(c.waiting_seconds));
  if (c.last_inbound_at) meta.push('pesan terakhir pengguna ' + c.last_inbound_at);
  $('chat-meta').textContent = meta.join(' · ');

  const mine = c.state === 'agent' && c.owner === state.me.username;
  const supervisor = state.me.role !== 'agent';
  $('btn-takeover').disabled = c.state === 'agent';
  $('btn-release').disabled = c.state === 'bot' || !(mine || supervisor);
  $('btn-resolve').disabled = c.state === 'bot' || !(mine || supervisor);
  $('reply-form').classList.toggle('hidden', !mine);
  $('window-closed').classList.toggle('hidden', !(mine && !c.window_open));

  const box = $('transcript');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...data.items.map(renderMessage));
  if (atBottom || !renderConversation.shown || renderConversation.shown !== c.id) box.scrollTop = box.scrollHeight;
  renderConversation.shown = c.id;
}

function renderMessage(m) {
  const parts = [];
  if (m.media && m.media.mime && m.media.mime.startsWith('image/')) {
    parts.push(el('a', { href: m.media.url, target: '_blank', rel: 'noopener' },
      el('img', { src: m.media.url, alt: 'Lampiran ' + (m.type || '') })));
  } else if (m.media) {
    parts.push(el('a', { href: m.media.url, target: '_blank', rel: 'noopener' }, '📄 Buka lampiran (' + m.media.mime + ')'));
  }
  let text = m.text || '';
  if (m.direction === 'in' && !text) {
    if (m.caption) text = m.caption;
    else if (m.location) text = '📍 ' + (m.location.name || '') + ' ' + m.location.latitude + ', ' + m.location.longitude;
    else if (!m.media) text = '[' + m.type + ']';
  }
  if (text) parts.push(el('div', { class: 'text' }, text));
  const foot = [m.at];
  if (m.direction === 'out') {
    foot.push(m.source === 'agent' ? 'petugas ' + (m.officer || '') : m.source);
  }
  const footNode = el('div', { class: 'foot' }, foot.join(' · '));
  if (m.direction === 'out') {
    footNode.append(' · ', el('span', { class: m.status === 'failed' ? 'failed' : '' },
      statusLabel[m.status] || m.status));
    if (m.status === 'failed' && m.error_code) footNode.append(' (' + m.error_code + (m.error ? ': ' + m.error : '') + ')');
  }
  parts.push(footNode);
  return el('div', { class: 'msg ' + m.direction + (m.source === 'agent' ? ' agent' : ''), dataset: { direction: m.direction } }, parts);
}

async function conversationAction(action, body) {
  if (!state.selected) return;
  try {
    await api('POST', '/api/v1/conversations/' + encodeURIComponent(state.selected) + '/' + action, body || {});
    toast({ takeover: 'Percakapan diambil alih.', release: 'Percakapan dikembalikan ke bot.', resolve: 'Percakapan ditandai selesai.' }[action]);
  } catch (e) {
    toast(e.status === 409 ? 'Gagal: ' + e.message + (e.body && e.body.owner ? ' (' + e.body.owner + ')' : '') : 'Gagal: ' + e.message);
  }
  await refreshAll();
}

$('btn-takeover').addEventListener('click', () => conversationAction('takeover'));
$('btn-release').addEventListener('click', () => conversationAction('release'));
$('btn-resolve').addEventListener('click', () => conversationAction('resolve'));

$('canned').addEventListener('change', () => {
  const c = state.canned.find((x) => String(x.id) === $('canned').value);
  if (c) $('reply-text').value = c.text;
  $('canned').value = '';
  $('reply-text').focus();
});

async function sendReply(body) {
  $('reply-error').textContent = '';
  $('reply-send').disabled = true;
  try {
    await api('POST', '/api/v1/conversations/' + encodeURIComponent(state.selected) + '/messages', body);
    $('reply-text').value = '';
    toast('Pesan masuk antrean kirim.');
  } catch (e) {
    if (e.body && e.body.code === 'window_closed') $('window-closed').classList.remove('hidden');
    $('reply-error').textContent = e.message;
  } finally {
    $('reply-send').disabled = false;
  }
  await loadConversation(state.selected);
}

$('reply-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('reply-text').value.trim();
  if (text) sendReply({ text });
});
$('reply-text').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) $('reply-form').requestSubmit();
});
$('btn-template').addEventListener('click', () => sendReply({ template: true }));

// --- payments ----------------------------------------------------------------------------------

async function loadPayments() {
  const data = await api('GET', '/api/v1/payments?state=pending');
  $('count-payments').textContent = data.items.length;
  const box = $('payments');
  if (data.items.length === 0) {
    box.replaceChildren(el('p', { class: 'hint' }, 'Tidak ada bukti bayar yang menunggu.'));
    return;
  }
  box.replaceChildren(...data.items.map(renderPayment));
}

function renderPayment(p) {
  const f = p.fine;
  const reason = el('input', { placeholder: 'Alasan penolakan', 'aria-label': 'Alasan penolakan', class: 'reason' });
  const decide = async (verify) => {
    if (!verify && !reason.value.trim()) { toast('Isi alasan penolakan dulu.'); reason.focus(); return; }
    try {
      await api('POST', '/api/v1/payments/' + p.id + '/' + (verify ? 'verify' : 'reject'),
        verify ? {} : { reason: reason.value.trim() });
      toast(verify ? 'Pembayaran ' + p.reference + ' diverifikasi.' : 'Pembayaran ' + p.reference + ' ditolak.');
    } catch (e) { toast('Gagal: ' + e.message); }
    await refreshAll();
  };
  const image = p.media_mime && p.media_mime.startsWith('image/')
    ? el('a', { href: '/api/v1/media/' + p.media_sha256, target: '_blank', rel: 'noopener' },
      el('img', { src: '/api/v1/media/' + p.media_sha256, alt: 'Bukti bayar ' + p.reference }))
    : el('a', { class: 'proof-missing', href: '/api/v1/media/' + p.media_sha256, target: '_blank', rel: 'noopener' },
      p.media_mime === 'application/pdf' ? 'Buka PDF' : 'Tanpa gambar');
  return el('div', { class: 'payment', dataset: { id: String(p.id), reference: p.reference } },
    image,
    el('dl', {},
      el('dt', {}, 'Referensi'), el('dd', {}, p.reference),
      el('dt', {}, 'No. register'), el('dd', {}, p.register_no),
      el('dt', {}, 'Pengirim'), el('dd', {}, p.wa_id),
      f ? [el('dt', {}, 'Nama'), el('dd', {}, f.violator_name),
        el('dt', {}, 'Pasal'), el('dd', {}, f.article),
        el('dt', {}, 'Denda'), el('dd', {}, rupiah(f.fine_amount)),
        el('dt', {}, 'Biaya perkara'), el('dd', {}, rupiah(f.court_fee)),
        el('dt', {}, 'Total'), el('dd', { class: 'total' }, rupiah(f.total))] : [],
      el('dt', {}, 'Dikirim'), el('dd', {}, p.created_at)),
    p.duplicate_of ? el('div', { class: 'dup' }, '⚠ Gambar sama dengan ' + p.duplicate_of) : null,
    el('div', { class: 'decide' },
      el('button', { type: 'button', class: 'ok btn-verify', onclick: () => decide(true) }, 'Verifikasi'),
      reason,
      el('button', { type: 'button', class: 'danger btn-reject', onclick: () => decide(false) }, 'Tolak')));
}

// --- reports -----------------------------------------------------------------------------------

// Each officer works one team's queue (or all of them); the choice stays in this browser.
const teamKey = 'tilangbot.reportTeam';

async function loadReports() {
  const team = localStorage.getItem(teamKey) || '';
  const data = await api('GET', '/api/v1/reports?status=open' + (team ? '&team=' + encodeURIComponent(team) : ''));
  setUpPicker('report-team', teamKey, 'Semua tim', (data.teams || []).map((t) => [t.id, t.label]), loadReports);
  $('count-reports').textContent = data.items.length;
  const box = $('reports');
  if (data.items.length === 0) {
    box.replaceChildren(el('p', { class: 'hint' }, team ? 'Tidak ada laporan terbuka untuk tim ini.' : 'Tidak ada laporan terbuka.'));
    return;
  }
  box.replaceChildren(...data.items.map(renderReport));
}

function renderReport(r) {
  const select = el('select', { 'aria-label': 'Status laporan' },
    ...Object.entries(reportStatusLabel).map(([v, label]) => {
      const o = el('option', { value: v }, label);
      if (v === r.status) o.selected = true;
      return o;
    }));
  const note = el('input', { placeholder: 'Catatan untuk pelapor', 'aria-label': 'Catatan' });
  const save = async () => {
    try {
      await api('POST', '/api/v1/reports/' + encodeURIComponent(r.report_no) + '/status', { status: select.value, note: note.value.trim() });
      toast('Status ' + r.report_no + ' diperbarui.');
    } catch (e) { toast('Gagal: ' + e.message); }
    await refreshAll();
  };
  return el('div', { class: 'report', dataset: { report: r.report_no } },
    el('div', { class: 'head' }, el('span', {}, r.report_no), el('span', { class: 'status' }, reportStatusLabel[r.status] || r.status)),
    el('div', { class: 'body' }, [r.category, r.what, r.where, r.when].filter(Boolean).join(' · ')),
    el('div', { class: 'meta' }, 'Pelapor ' + r.wa_id + ' · ' + r.created_at + (r.team ? ' · tim ' + r.team : '')),
    r.photo_url ? el('a', { href: r.photo_url, target: '_blank', rel: 'noopener' }, 'Lihat foto') : null,
    el('div', { class: 'update' }, select, note, el('button', { type: 'button', onclick: save }, 'Simpan')));
}

// --- admin -------------------------------------------------------------------------------------

$('btn-audit').addEventListener('click', async () => {
  const data = await api('GET', '/api/v1/audit');
  $('audit').replaceChildren(...data.items.map((a) => el('tr', {},
    el('td', {}, a.at), el('td', {}, a.actor), el('td', {}, a.action), el('td', {}, a.target))));
});
$('btn-purge').addEventListener('click', async () => {
  try {
    const r = await api('POST', '/api/v1/admin/purge', {});
    toast('Dihapus: ' + r.inbound_messages + ' pesan, ' + r.media_files + ' berkas, ' + r.reports + ' laporan.');
  } catch (e) { toast('Gagal: ' + e.message); }
});

// A user's request to delete their data (UU 27/2022), after checking it comes from the number's owner.
$('erase-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const wa = $('erase-wa').value.trim();
  if (!wa) { toast('Isi nomor WhatsApp pengguna.'); return; }
  if (!confirm('Hapus data pribadi ' + wa + '? Tindakan ini tidak dapat dibatalkan.')) return;
  try {
    const r = await api('POST', '/api/v1/admin/erase', { wa_id: wa });
    const k = r.kept;
    const open = k.pending_proofs + k.open_reports + k.unsent_messages + k.unhandled_messages +
      (k.conversation_with_officer ? 1 : 0);
    toast('Data ' + r.wa_id + ' dihapus: ' + r.deleted.inbound_messages + ' pesan, ' + r.deleted.media_files +
      ' berkas, ' + r.deleted.reports + ' laporan.' +
      (open ? ' Sebagian masih diproses dan disimpan; ulangi setelah prosesnya selesai.' : ''));
    $('erase-wa').value = '';
  } catch (e) { toast('Gagal: ' + e.message); }
});

// --- start -------------------------------------------------------------------------------------

(async () => {
  try {
    const me = await fetch('/api/v1/session', { credentials: 'same-origin' });
    if (me.ok) { await startApp(await me.json()); return; }
  } catch (_) { /* not signed in */ }
  showLogin('');
})();
