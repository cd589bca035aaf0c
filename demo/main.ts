/** The earshot demo page: microphone with live partials, file drop, provider selector, RTF. */
import { SpeechRecognizer, type SpeechResult, type ExecutionProviderName } from '../src/web/index.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const modelInput = $<HTMLInputElement>('model');
const epSelect = $<HTMLSelectElement>('ep');
const threadsInput = $<HTMLInputElement>('threads');
const badge = $('ep-badge');
const micButton = $<HTMLButtonElement>('mic');
const meter = $('meter').firstElementChild as HTMLElement;
const partialEl = $('partial');
const finalEl = $('final');
const statsEl = $('stats');
const loadStats = $('load-stats');
const errorEl = $('error');
const drop = $('drop');

/** What the page did, for tests and for curious people (window.earshotDemo). */
interface DemoState {
  rec: SpeechRecognizer | undefined;
  events: { type: string; text?: string; code?: string; message?: string; t: number }[];
  ready: boolean;
  busy: boolean;
  last: SpeechResult | undefined;
}
/** The segments of the current microphone session. */
const segments: SpeechResult[] = [];
const state: DemoState = { rec: undefined, events: [], ready: false, busy: false, last: undefined };
const params = new URLSearchParams(location.search);
if (params.get('model')) modelInput.value = params.get('model')!;
if (params.get('ep')) epSelect.value = params.get('ep')!;
if (params.get('threads')) threadsInput.value = params.get('threads')!;

function showError(message: string): void {
  errorEl.textContent = message;
}

function renderFinal(r: SpeechResult): void {
  state.last = r;
  finalEl.replaceChildren(
    ...r.words.map((w) => {
      const s = document.createElement('span');
      s.className = 'w';
      // confidence shading: sure words white-green, unsure ones red
      const hue = Math.round(120 * w.confidence);
      s.style.background = `hsl(${hue} 70% ${92 - 10 * (1 - w.confidence)}%)`;
      s.title = `${w.start.toFixed(2)}–${w.end.toFixed(2)} s, confidence ${(w.confidence * 100).toFixed(0)}%`;
      const t = document.createElement('small');
      t.textContent = `${w.start.toFixed(2)}–${w.end.toFixed(2)} s · ${(w.confidence * 100).toFixed(0)}%`;
      s.append(document.createTextNode(w.word), t);
      return s;
    }),
  );
  if (r.words.length === 0) finalEl.textContent = r.text || '(no speech)';
  finalEl.dataset.text = r.text;
  statsEl.innerHTML = `<b>${r.audioSec.toFixed(2)} s</b> of audio in <b>${r.elapsedMs.toFixed(0)} ms</b> — real-time factor <b id="rtf">${r.rtf.toFixed(3)}</b> on <b>${r.provider}</b>`;
}

async function load(): Promise<void> {
  state.rec?.dispose();
  state.ready = false;
  micButton.disabled = true;
  badge.className = 'badge';
  badge.textContent = 'loading…';
  showError('');
  const ep = epSelect.value;
  const executionProviders: ExecutionProviderName[] | undefined = ep === 'auto' ? undefined : ep === 'webgpu' ? ['webgpu', 'wasm'] : [ep as ExecutionProviderName];
  const rec = new SpeechRecognizer({
    model: modelInput.value,
    wasmPaths: new URL('./ort/', location.href),
    numThreads: Math.max(1, Number(threadsInput.value) || 1),
    ...(executionProviders ? { executionProviders } : {}),
  });
  state.rec = rec;
  rec.on('partial', (p) => {
    partialEl.textContent = p.text;
    state.events.push({ type: 'partial', text: p.text, t: performance.now() });
  });
  rec.on('final', (r) => {
    partialEl.textContent = '';
    // the microphone is endpointed: each segment comes as a 'final'; show the session's so far
    if (r.segment !== undefined) {
      segments.push(r);
      renderFinal({ ...r, text: segments.map((x) => x.text).join(' '), words: segments.flatMap((x) => x.words) });
    } else renderFinal(r);
    state.events.push({ type: 'final', text: r.text, t: performance.now() });
  });
  rec.on('level', (l) => (meter.style.width = `${Math.min(100, Math.sqrt(l.rms) * 200)}%`));
  rec.on('error', (e) => {
    showError(`${e.code}: ${e.message}`);
    state.events.push({ type: 'error', code: e.code, message: e.message, t: performance.now() });
    // a lost microphone or suspended audio stops the recognizer (the final result follows): reset the button after it
    if (rec.listening && (e.code === 'device-lost' || e.code === 'audio-suspended')) void rec.stop().then(() => setMic(false));
    else if (!rec.listening) setMic(false);
  });
  try {
    const info = await rec.ready;
    if (state.rec !== rec) return;
    badge.className = `badge ${info.provider}`;
    badge.textContent = info.provider === 'wasm' ? `wasm · ${info.numThreads} thread${info.numThreads > 1 ? 's' : ''}` : `${info.provider}${info.webgpuAdapter ? ` (${info.webgpuAdapter})` : ''}`;
    const failed = info.providerFailures.map((f) => `${f.provider} failed: ${f.reason}`).join('; ');
    loadStats.textContent = `loaded in ${info.loadMs.toFixed(0)} ms${info.fromCache ? ' from cache' : ''} · sha256 ${info.sha256.slice(0, 12)}… · ${info.crossOriginIsolated ? 'cross-origin isolated' : 'not isolated (1 thread)'}${failed ? ` · ${failed}` : ''}`;
    micButton.disabled = false;
    state.ready = true;
  } catch {
    badge.className = 'badge err';
    badge.textContent = 'load failed';
  }
}

function setMic(on: boolean): void {
  micButton.classList.toggle('on', on);
  micButton.textContent = on ? '■ Stop' : '● Start microphone';
  if (!on) meter.style.width = '0';
}

async function toggleMic(): Promise<void> {
  const rec = state.rec;
  if (!rec) return;
  if (rec.listening) {
    micButton.disabled = true;
    await rec.stop();
    micButton.disabled = false;
    setMic(false);
    return;
  }
  showError('');
  finalEl.textContent = '';
  segments.length = 0;
  try {
    setMic(true);
    // segments at pauses, as the CLI does: a pause always ends a sentence, and the text keeps coming while listening
    await rec.startMicrophone({ endpoint: true });
  } catch {
    setMic(false);
  }
}

async function transcribe(file: Blob): Promise<SpeechResult | undefined> {
  const rec = state.rec;
  if (!rec) return undefined;
  showError('');
  state.busy = true;
  try {
    const r = await rec.transcribeFile(file);
    renderFinal(r);
    return r;
  } catch (e) {
    // Most errors come through the error listener too; after a failed load the recognizer only rejects: say so here.
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code ?? 'error';
    if (!state.ready) {
      showError(`${code}: the model is not loaded (${message}); choose a model that loads, then the file again`);
      state.events.push({ type: 'error', code, message, t: performance.now() });
    } else if (!errorEl.textContent) showError(`${code}: ${message}`);
    return undefined;
  } finally {
    state.busy = false;
  }
}

$('load').addEventListener('click', () => void load());
micButton.addEventListener('click', () => void toggleMic());
$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void transcribe(f);
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void transcribe(f);
});

Object.assign(window, {
  earshotDemo: {
    state,
    load,
    toggleMic,
    transcribe,
    transcribeUrl: async (url: string) => transcribe(await (await fetch(url)).blob()),
  },
});
void load();
