// Virta live view: every camera through Media Source Extensions from /ws/<camera>, the event hub's
// boxes from /ws/events drawn over the picture whose capture time they name. No libraries.
// Stream format: see FragmentHeader.java (a 20-byte header, then the fMP4 init segment or fragment).
'use strict';

const TOKEN = new URLSearchParams(location.search).get('token');
const FRAGMENT_INIT = 1;
const STATUS_EVERY_MS = 2000;
const MAX_LAG_S = 0.5;         // behind the live edge by more: speed up
const JUMP_LAG_S = 2.0;        // behind by more: jump to the live edge
const KEEP_BEHIND_S = 10;      // buffered video older than this is removed
const STALL_MS = 5000;         // an open socket silent this long is reconnected
const BOX_LIFETIME_MS = 500;   // a box shows this long, or until its source's next event on this camera
const MAX_PENDING = 120;       // segments waiting for the SourceBuffer; more means we cannot keep up

function url(path, ws) {
  const u = new URL(path, location.href);
  if (TOKEN) u.searchParams.set('token', TOKEN);
  if (ws) u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return u;
}

function backoffMs(attempt) {
  return Math.min(5000, 250 * 2 ** Math.min(attempt, 5));
}

/** Capture time (ms) of the picture at a media time, from the (media time, capture time) pairs the fragments carried. */
class TimeMap {
  constructor() { this.media = new Float64Array(512); this.capture = new Float64Array(512); this.n = 0; this.next = 0; }
  add(mediaS, captureMs) {
    this.media[this.next] = mediaS; this.capture[this.next] = captureMs;
    this.next = (this.next + 1) % this.media.length; this.n = Math.min(this.n + 1, this.media.length);
  }
  clear() { this.n = 0; this.next = 0; }
  captureAt(mediaS) {
    let best = -1, bestGap = Infinity;
    for (let i = 0; i < this.n; i++) {
      const gap = Math.abs(this.media[i] - mediaS);
      if (gap < bestGap) { bestGap = gap; best = i; }
    }
    return best < 0 ? NaN : this.capture[best] + (mediaS - this.media[best]) * 1000;
  }
}

class Tile {
  constructor(name) {
    this.name = name;
    this.status = null;
    this.events = [];           // the camera's recent events, by capture time
    this.boxesDrawn = 0;        // events whose boxes were put on screen (tests read it)
    this.shownCaptureMs = NaN;  // capture time of the frame on screen
    this.reconnects = 0;
    this.attempt = 0;
    this.unsupported = null;    // the codecs string this browser cannot play
    this.times = new TimeMap();
    this.el = document.createElement('section');
    this.el.className = 'tile';
    this.el.innerHTML = '<div class="title"><b></b><span class="state"></span></div>'
      + '<div class="stage"><video muted playsinline></video><canvas></canvas><div class="notice"></div></div>'
      + '<div class="info"></div>';
    this.el.querySelector('b').textContent = name;
    this.stateEl = this.el.querySelector('.state');
    this.video = this.el.querySelector('video');
    this.canvas = this.el.querySelector('canvas');
    this.notice = this.el.querySelector('.notice');
    this.info = this.el.querySelector('.info');
    this.watchFrames();
  }

  update(status) {
    this.status = status;
    this.stateEl.textContent = status.state + (this.playing ? ' · playing' : this.ws ? ' · connecting' : '');
    this.stateEl.className = 'state ' + status.state;
    const size = status.width ? status.width + '×' + status.height : 'size unknown';
    this.info.textContent = `${status.fps.toFixed(1)} fps · ${size} · ${status.codec || 'codec unknown'}`
      + (status.codecs ? ` (${status.codecs})` : '') + (status.lastError ? ' · last error: ' + status.lastError : '');
    if (status.codecs && !Tile.canPlay(status.codecs)) {
      this.showUnsupported(status.codecs);
    } else {
      if (this.unsupported && status.codecs) { this.unsupported = null; this.notice.classList.remove('shown'); }
      if (!this.ws && !this.retryTimer && !this.unsupported) this.connect();
    }
  }

  static canPlay(codecs) {
    return !!window.MediaSource && MediaSource.isTypeSupported(`video/mp4; codecs="${codecs}"`);
  }

  showUnsupported(codecs) {
    this.unsupported = codecs;
    this.disconnect();
    const codec = /^(hvc1|hev1)/.test(codecs) ? 'H265 (HEVC)' : /^(avc1|avc3)/.test(codecs) ? 'H264' : codecs;
    const rtsp = this.status && this.status.rtsp;
    this.notice.innerHTML = '';
    const p = document.createElement('p');
    p.textContent = `This camera sends ${codec} (${codecs}), which this browser cannot play.`;
    const q = document.createElement('p');
    if (rtsp) {
      q.textContent = 'Its RTSP stream plays in ffplay or VLC: ';
      const code = document.createElement('code');
      code.textContent = 'ffplay ' + rtsp;
      q.appendChild(code);
    } else {
      q.textContent = 'Turn on rtspServer: in the producer\'s YAML to re-serve it over RTSP for ffplay or VLC.';
    }
    this.notice.append(p, q);
    this.notice.classList.add('shown');
  }

  connect() {
    this.retryTimer = null;
    const ws = new WebSocket(url(this.status ? this.status.ws : '/ws/' + encodeURIComponent(this.name), true));
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.pending = [];
    this.sourceBuffer = null;
    this.playing = false;
    this.times.clear();
    this.lastMessage = performance.now();
    this.mediaSource = new MediaSource();
    this.video.src = URL.createObjectURL(this.mediaSource);
    this.mediaSource.addEventListener('sourceopen', () => this.feed(), { once: true });
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = () => { if (this.ws === ws) this.retry(); };
    ws.onerror = () => ws.close();
    this.stall = setInterval(() => {
      if (performance.now() - this.lastMessage > STALL_MS) ws.close();
    }, 1000);
  }

  disconnect() {
    const ws = this.ws;
    this.ws = null;
    this.playing = false;
    clearInterval(this.stall);
    if (ws) ws.close();
    if (this.video.src) { URL.revokeObjectURL(this.video.src); this.video.removeAttribute('src'); this.video.load(); }
    this.sourceBuffer = null;
    this.mediaSource = null;
  }

  retry() {
    this.disconnect();
    if (this.unsupported) return;
    this.reconnects++;
    const wait = backoffMs(this.attempt++);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  receive(data) {
    this.lastMessage = performance.now();
    const view = new DataView(data);
    const kind = view.getUint8(0), headerLength = view.getUint16(2);
    if (kind === FRAGMENT_INIT) {
      const codecs = new TextDecoder().decode(new Uint8Array(data, 20, headerLength - 20));
      if (!Tile.canPlay(codecs)) { this.showUnsupported(codecs); return; }
      this.codecs = codecs;
    } else {
      this.times.add(view.getFloat64(12), view.getFloat64(4));
    }
    if (this.pending.length >= MAX_PENDING) { this.ws.close(); return; }
    this.pending.push(new Uint8Array(data, headerLength));
    this.feed();
  }

  /** Appends what is pending, keeps near the live edge and trims what is long past. */
  feed() {
    const ms = this.mediaSource;
    if (!ms || ms.readyState !== 'open') return;
    if (!this.sourceBuffer) {
      if (!this.codecs) return;
      this.sourceBuffer = ms.addSourceBuffer(`video/mp4; codecs="${this.codecs}"`);
      this.sourceBuffer.mode = 'segments';
      this.sourceBuffer.addEventListener('updateend', () => this.feed());
      this.sourceBuffer.addEventListener('error', () => this.ws && this.ws.close());
    }
    const sb = this.sourceBuffer;
    if (sb.updating) return;
    const buffered = sb.buffered, video = this.video;
    if (buffered.length) {
      const end = buffered.end(buffered.length - 1);
      if (!this.playing) {
        // A live MSE stream starts wherever the first keyframe put it, not at 0.
        video.currentTime = buffered.start(buffered.length - 1);
        video.play().catch(() => {});
        this.playing = true;
        this.attempt = 0;
        if (this.status) this.update(this.status);
      } else {
        const lag = end - video.currentTime;
        if (lag > JUMP_LAG_S) video.currentTime = end - 0.1;
        video.playbackRate = lag > MAX_LAG_S ? 1.25 : 1.0;
      }
      if (video.currentTime - buffered.start(0) > 2 * KEEP_BEHIND_S) {
        sb.remove(buffered.start(0), video.currentTime - KEEP_BEHIND_S);
        return;
      }
    }
    if (this.pending.length) {
      try {
        sb.appendBuffer(this.pending.shift());
      } catch (e) {
        // QuotaExceededError or a closed source: start afresh.
        if (this.ws) this.ws.close();
      }
    }
  }

  /** Redraws the overlay for each frame the browser presents, at that frame's capture time. */
  watchFrames() {
    const video = this.video;
    if (video.requestVideoFrameCallback) {
      const onFrame = (now, meta) => {
        this.shownCaptureMs = this.times.captureAt(meta.mediaTime);
        this.shownAt = { captureMs: this.shownCaptureMs, expectedDisplayTime: meta.expectedDisplayTime,
          mediaTime: meta.mediaTime };
        this.drawOverlay();
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      const onAnimation = () => {
        if (this.playing) { this.shownCaptureMs = this.times.captureAt(video.currentTime); this.drawOverlay(); }
        requestAnimationFrame(onAnimation);
      };
      requestAnimationFrame(onAnimation);
    }
  }

  addEvent(event) {
    event.captureTimeMs = event.capture_time_micros / 1000;
    const events = this.events;
    events.push(event);
    events.sort((a, b) => a.captureTimeMs - b.captureTimeMs);
    if (events.length > 64) events.splice(0, events.length - 64);
  }

  /** The events whose boxes show over the frame on screen (see eventsOnScreen). */
  currentEvents() {
    const shown = this.shownCaptureMs;
    return Number.isFinite(shown) ? eventsOnScreen(this.events, shown, BOX_LIFETIME_MS) : [];
  }

  drawOverlay() {
    const canvas = this.canvas, video = this.video;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const g = canvas.getContext('2d');
    g.clearRect(0, 0, w, h);
    const events = this.currentEvents();
    if (!events.length || !video.videoWidth) return;
    // Where object-fit: contain put the picture inside the element.
    const scale = Math.min(w / video.videoWidth, h / video.videoHeight);
    const pw = video.videoWidth * scale, ph = video.videoHeight * scale;
    const ox = (w - pw) / 2, oy = (h - ph) / 2;
    g.lineWidth = 3;
    g.font = '14px system-ui, sans-serif';
    for (const event of events) {
      for (const box of event.boxes) {
        const x = ox + box.x * pw, y = oy + box.y * ph, bw = box.width * pw, bh = box.height * ph;
        g.strokeStyle = '#ff3b30';
        g.strokeRect(x, y, bw, bh);
        const text = `${box.label || event.type} ${box.score.toFixed(2)}`;
        g.fillStyle = '#ff3b30';
        g.fillRect(x, Math.max(0, y - 18), g.measureText(text).width + 8, 18);
        g.fillStyle = '#fff';
        g.fillText(text, x + 4, Math.max(14, y - 4));
      }
      if (!event.drawn) {
        event.drawn = true;
        this.boxesDrawn++;
      }
    }
  }
}

/**
 * The events whose boxes show over the picture captured at shownMs, of one camera's events (sorted by
 * capture time): of each source, its latest event at or before that picture, if it is younger than
 * lifetimeMs. So the next event from the same source replaces the earlier one's boxes (an event without
 * boxes too), and the time limit clears only boxes that nothing replaced. The viewer has the same rule
 * (OverlayBoxes.markVisible).
 */
function eventsOnScreen(events, shownMs, lifetimeMs) {
  const latest = new Map();
  for (const e of events) {
    if (e.captureTimeMs > shownMs + 1) break;
    latest.set(e.source || '', e);
  }
  return [...latest.values()].filter((e) => shownMs - e.captureTimeMs < lifetimeMs);
}

const tiles = new Map();
window.virta = { tiles, events: null, eventsOnScreen };

async function refreshStatus() {
  const producer = document.getElementById('producer');
  try {
    const response = await fetch(url('/api/cameras'), { cache: 'no-store' });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const { cameras } = await response.json();
    producer.textContent = `${cameras.length} camera(s)`;
    const grid = document.getElementById('grid');
    for (const status of cameras) {
      let tile = tiles.get(status.name);
      if (!tile) {
        tile = new Tile(status.name);
        tiles.set(status.name, tile);
        grid.appendChild(tile.el);
        subscribeEvents();
      }
      tile.update(status);
    }
    for (const [name, tile] of tiles) {
      if (!cameras.some((c) => c.name === name)) { tile.disconnect(); tile.el.remove(); tiles.delete(name); }
    }
  } catch (e) {
    producer.textContent = 'producer unreachable (' + e.message + '); retrying';
  }
  setTimeout(refreshStatus, STATUS_EVERY_MS);
}

let eventSocket = null, eventAttempt = 0, eventCameras = '';

/** One socket for the events of every camera on the page; reopened when the camera set changes or it drops. */
function subscribeEvents() {
  const names = [...tiles.keys()].sort().join('\n');
  if (eventSocket && names === eventCameras) return;
  if (eventSocket) { const old = eventSocket; eventSocket = null; old.close(); }
  eventCameras = names;
  const u = url('/ws/events', true);
  for (const name of tiles.keys()) u.searchParams.append('camera', name);
  const ws = new WebSocket(u);
  eventSocket = ws;
  window.virta.events = ws;
  ws.onopen = () => { eventAttempt = 0; };
  ws.onmessage = (m) => {
    const event = JSON.parse(m.data);
    const tile = event.camera && tiles.get(event.camera);
    if (tile) tile.addEvent(event);
  };
  ws.onclose = () => {
    if (eventSocket !== ws) return;
    eventSocket = null;
    setTimeout(subscribeEvents, backoffMs(eventAttempt++));
  };
}

refreshStatus();
