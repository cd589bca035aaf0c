/**
 * `<earshot-mic>`: speech input in one tag. Importing this module defines the element; it is a thin
 * view over {@link SpeechRecognizer} (which owns the worker, the model and the microphone): an
 * accessible toggle button with a level meter and the live partial text, which writes each final
 * transcript into the input or textarea named by `for` and re-dispatches the recognizer's events as
 * DOM events.
 *
 * Attributes (all optional but `model`):
 * - `model`: URL of the earshot .onnx model.
 * - `providers`: execution providers to try in order, space or comma separated ("webgpu wasm").
 * - `threads`: wasm threads (used when the page is crossOriginIsolated).
 * - `wasm-paths`: base URL, on this origin, of onnxruntime-web's dist files. Default "/ort/".
 * - `decoder`: "greedy" (default), "beam", or a JSON object of beam options ({"type":"beam","beam":8}).
 * - `lm`: URL of a word LM file: .lmbin (earshot binary) or ARPA; implies the beam decoder.
 * - `endpoint`: cut the dictation into segments at pauses and keep listening: each segment is written
 *   into the target as it ends (an `earshot-final` per segment). On by default, as in the CLI: absent,
 *   empty or "true" = the default rules (a segment ends after 1.2 s of silence); "false" = off (one
 *   final at stop); a number = that many seconds of trailing silence (`endpoint="0.8"`); or a JSON
 *   object of endpoint rules (`{"rule2MinTrailingSilence":0.8}`). The `endpoint` property reflects it
 *   and may be set at any time: it applies from the next start.
 * - `for`: id of the input, textarea or contenteditable element that receives the final text.
 * - `mode`: how the text is written there: "insert" (default: at the caret, replacing a selection),
 *   "append" or "replace".
 * - `label`: the button's accessible name. Default "Speech input".
 * - `preload`: "auto" (default: load the model when connected) or "none" (on the first press).
 * - `sha256`: expected SHA-256 of the model file; `no-cache`: do not keep the model in the Cache API.
 * - `disabled`.
 * The element reflects its state in a `state` attribute (see {@link EarshotMicState}). Styling: CSS
 * parts `button`, `icon`, `meter`, `level`, `partial`, `status`, `error`, and the custom properties
 * `--earshot-mic-size`, `--earshot-mic-background`, `--earshot-mic-color`,
 * `--earshot-mic-active-background`, `--earshot-mic-level-color`, `--earshot-mic-partial-color`,
 * `--earshot-mic-error-color`, `--earshot-mic-focus-ring`.
 * The language is the model's: the element has no `lang` setting.
 * @example
 * <script type="module">import 'earshot/web/mic-element';</script>
 * <textarea id="notes"></textarea>
 * <earshot-mic model="/models/earshot-en.onnx" for="notes"></earshot-mic>
 */
import { trailingSilenceRules, type EndpointConfig } from '../decoder/endpoint.js';
import { SpeechRecognizer, type SpeechDecoderOptions, type SpeechRecognizerInfo, type SpeechRecognizerOptions, type SpeechResult } from './speech.js';
import { SpeechError, type SpeechErrorCode } from './errors.js';
import type { ExecutionProviderName } from '../model/runtime.js';
import type { WordResult } from '../decoder/types.js';

/**
 * Where an `<earshot-mic>` is: `idle` (no model attribute, or disconnected), `loading` the model,
 * `ready`, `starting` the microphone, `listening`, `stopping` (waiting for the final text), or
 * `failed` (the model could not be loaded: a press, or a new attribute value, tries again).
 * @example
 * mic.addEventListener('earshot-state', (e) => (form.inert = e.detail.state === 'listening'));
 */
export type EarshotMicState = 'idle' | 'loading' | 'ready' | 'starting' | 'listening' | 'stopping' | 'failed';

/**
 * The DOM events of `<earshot-mic>` (they bubble and cross shadow roots).
 * @example
 * mic.addEventListener('earshot-final', (e) => console.log(e.detail.text, e.detail.words));
 */
export interface EarshotMicEventMap {
  /** The text so far while listening (only when it changed). */
  'earshot-partial': CustomEvent<{ text: string; words: WordResult[] }>;
  /**
   * The whole utterance after a stop (also after a lost device); already written into the target. With
   * the `endpoint` attribute: each segment as it ends (`result.segment`, `result.start`, `result.end`).
   */
  'earshot-final': CustomEvent<{ text: string; words: WordResult[]; result: SpeechResult }>;
  /** What went wrong, with a code to react to and a message that says what to do. */
  'earshot-error': CustomEvent<{ code: SpeechErrorCode; message: string; error: SpeechError }>;
  /** The state changed; `info` says which provider runs the model once it is loaded. */
  'earshot-state': CustomEvent<{ state: EarshotMicState; previous: EarshotMicState; info: SpeechRecognizerInfo | undefined }>;
}

const PROVIDERS: readonly ExecutionProviderName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];
const CONFIG_ATTRIBUTES = ['model', 'providers', 'threads', 'wasm-paths', 'decoder', 'lm', 'sha256', 'no-cache'];

const STYLE = `
:host { display: inline-flex; align-items: center; gap: 0.5em; vertical-align: middle; --_size: var(--earshot-mic-size, 2.5em); }
:host([hidden]) { display: none; }
[part~=button] {
  inline-size: var(--_size); block-size: var(--_size); flex: none; display: grid; place-items: center; padding: 0; border: 0; border-radius: 50%;
  font: inherit; cursor: pointer; background: var(--earshot-mic-background, #1f6feb); color: var(--earshot-mic-color, #fff);
}
[part~=button][aria-pressed=true] { background: var(--earshot-mic-active-background, #d1242f); }
[part~=button]:focus-visible { outline: var(--earshot-mic-focus-ring, 3px solid #0969da); outline-offset: 2px; }
[part~=button]:disabled { opacity: 0.5; cursor: not-allowed; }
:host([state=loading]) [part~=button], :host([state=starting]) [part~=button], :host([state=stopping]) [part~=button] { cursor: progress; opacity: 0.75; }
[part~=icon] { inline-size: 55%; block-size: 55%; fill: currentColor; }
[part~=meter] { display: none; inline-size: 3em; block-size: 0.4em; border-radius: 0.2em; overflow: hidden; background: rgb(127 127 127 / 0.25); }
:host([state=listening]) [part~=meter] { display: block; }
[part~=level] { display: block; block-size: 100%; background: var(--earshot-mic-level-color, #2da44e); transform-origin: left; transform: scaleX(0); transition: transform 50ms linear; }
[part~=partial] { color: var(--earshot-mic-partial-color, #5b6576); font-style: italic; }
[part~=error] { color: var(--earshot-mic-error-color, #a40e26); font-size: 0.85em; }
[part~=status] { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
[part~=partial]:empty, [part~=error]:empty { display: none; }
@media (prefers-reduced-motion: reduce) { [part~=level] { transition: none; } }
`;

const MIC_ICON = 'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z';

const STATUS: Record<EarshotMicState, string> = {
  idle: '',
  loading: 'Loading the speech model',
  ready: 'Ready',
  starting: 'Starting the microphone',
  listening: 'Listening',
  stopping: 'Finishing',
  failed: 'The speech model could not be loaded',
};

/** HTMLElement in a browser; a stand-in elsewhere, so that importing this module in Node (SSR, tests) does not throw. */
const Base: typeof HTMLElement = typeof HTMLElement === 'undefined' ? (class {} as unknown as typeof HTMLElement) : HTMLElement;

const usage = (message: string): SpeechError => new SpeechError('usage', message);

/**
 * The `<earshot-mic>` custom element (defined when this module is imported). Methods: {@link start},
 * {@link stop}, {@link toggle}; properties: {@link state}, {@link recognizer}, {@link target},
 * {@link recognizerOptions}. See the module documentation for attributes, events and styling.
 * @example
 * const mic = document.createElement('earshot-mic');
 * mic.setAttribute('model', '/models/earshot-en.onnx');
 * mic.setAttribute('for', 'notes');
 * mic.addEventListener('earshot-error', (e) => console.warn(e.detail.code, e.detail.message));
 * document.body.append(mic);
 */
export class EarshotMicElement extends Base {
  /** @internal */
  static readonly observedAttributes = [...CONFIG_ATTRIBUTES, 'endpoint', 'label', 'disabled'];

  /**
   * Extra options for the SpeechRecognizer (e.g. a `worker` factory for your bundler, `executionProviders`
   * as an array); attributes win where both are given. Set it before the element loads its model.
   * @example
   * mic.recognizerOptions = { worker: () => new Worker('/assets/earshot-worker.js', { type: 'module' }) };
   */
  recognizerOptions: Partial<SpeechRecognizerOptions> = {};

  private rec: SpeechRecognizer | undefined;
  private offs: (() => void)[] = [];
  private current: EarshotMicState = 'idle';
  private starting: Promise<void> | undefined;
  /** A load is queued for the end of this task (see scheduleLoad). */
  private loadQueued = false;
  private readonly button: HTMLButtonElement;
  private readonly level: HTMLElement;
  private readonly partialEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    root.innerHTML = `<style>${STYLE}</style><button part="button" type="button" aria-pressed="false" aria-describedby="status"><svg part="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${MIC_ICON}"/></svg></button><span part="meter" aria-hidden="true"><span part="level"></span></span><span part="partial" aria-hidden="true"></span><span part="status" id="status" role="status"></span><span part="error" role="alert"></span>`;
    const part = <T extends HTMLElement>(name: string): T => root.querySelector(`[part~=${name}]`) as T;
    this.button = part<HTMLButtonElement>('button');
    this.level = part('level');
    this.partialEl = part('partial');
    this.statusEl = part('status');
    this.errorEl = part('error');
    this.button.addEventListener('click', () => void this.toggle().catch(() => undefined)); // reported as earshot-error
    this.button.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && (this.current === 'listening' || this.current === 'starting')) {
        e.preventDefault();
        void this.stop();
      }
    });
    this.updateLabel();
  }

  /** What the element is doing. */
  get state(): EarshotMicState {
    return this.current;
  }

  /** The recognizer behind the element (for files: `mic.recognizer.transcribeFile(file)`), once it loads. */
  get recognizer(): SpeechRecognizer | undefined {
    return this.rec;
  }

  /**
   * Endpointing of the next microphone session (the `endpoint` attribute, parsed): true = the default
   * rules, false = off, or rules. Setting it writes the attribute; it applies from the next start,
   * without reloading the model. A bad attribute value reads as the default and is reported as `earshot-error`.
   * @example
   * mic.endpoint = false; // one final result per press
   * mic.endpoint = { rule2MinTrailingSilence: 0.8 };
   */
  get endpoint(): boolean | Partial<EndpointConfig> {
    try {
      return this.endpointOption();
    } catch {
      return true;
    }
  }

  set endpoint(value: boolean | number | Partial<EndpointConfig>) {
    if (typeof value === 'boolean' || typeof value === 'number') this.setAttribute('endpoint', String(value));
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) this.setAttribute('endpoint', JSON.stringify(value));
    else throw this.report(usage(`<earshot-mic>.endpoint must be true, false, seconds of trailing silence or an object of endpoint rules, got ${value === null ? 'null' : typeof value}`));
  }

  /** The element named by the `for` attribute, in this element's document or shadow root. */
  get target(): HTMLElement | null {
    const id = this.getAttribute('for');
    const root = this.getRootNode();
    return id && (root instanceof Document || root instanceof ShadowRoot) ? root.getElementById(id) : null;
  }

  /** @internal */
  connectedCallback(): void {
    this.setAttribute('state', this.current);
    this.button.disabled = this.hasAttribute('disabled');
    if (!this.rec && this.getAttribute('preload') !== 'none') this.scheduleLoad();
  }

  /** @internal Stops the microphone and ends the worker when the element leaves the document (not when it is only moved). */
  disconnectedCallback(): void {
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.teardown();
      this.setState('idle');
    });
  }

  /** @internal */
  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value) return;
    if (name === 'label') this.updateLabel();
    else if (name === 'endpoint') {
      try {
        this.endpointOption(); // read at each start; a bad value is reported now
      } catch (e) {
        if (e instanceof SpeechError) this.report(e);
        else throw e;
      }
    }
    else if (name === 'disabled') {
      this.button.disabled = value !== null;
      if (value !== null) void this.stop();
    } else if (this.isConnected && (this.rec || this.current === 'failed' || this.getAttribute('preload') !== 'none')) {
      this.scheduleLoad(); // a new model or setting: (re)load, also after a failure or when the model attribute arrives late
    }
  }

  /**
   * Start listening (loading the model first if needed). Call it from a user gesture: browsers keep
   * audio suspended otherwise ('audio-suspended'). Rejects with the SpeechError that was also
   * dispatched as `earshot-error`.
   * @example
   * await mic.start();
   */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.current === 'listening' || this.current === 'stopping') return Promise.resolve();
    if (this.hasAttribute('disabled')) return Promise.reject(this.report(usage('<earshot-mic> is disabled: remove its disabled attribute first')));
    const p = this.startNow().finally(() => {
      if (this.starting === p) this.starting = undefined;
    });
    this.starting = p;
    return p;
  }

  /**
   * Stop listening; resolves with the final result (written into the target and dispatched as
   * `earshot-final`), or null when it was not listening. Stopping while starting waits for the start.
   * @example
   * const r = await mic.stop();
   */
  async stop(): Promise<SpeechResult | null> {
    if (this.starting) await this.starting.catch(() => undefined);
    const rec = this.rec;
    if (!rec?.listening) return null;
    this.setState('stopping');
    const r = await rec.stop();
    if (this.rec === rec) this.setState('ready');
    return r;
  }

  /**
   * What the button does: stop when listening or starting, else start.
   * @example
   * document.addEventListener('keydown', (e) => { if (e.key === 'F2') void mic.toggle(); });
   */
  async toggle(): Promise<void> {
    if (this.starting || this.current === 'listening') await this.stop();
    else if (this.current !== 'stopping') await this.start();
  }

  private async startNow(): Promise<void> {
    let rec = this.rec;
    if (!rec || this.current === 'failed') rec = this.load();
    if (!rec) throw this.report(usage('<earshot-mic> needs a model: set its model attribute to the URL of an earshot .onnx file'));
    this.errorEl.textContent = '';
    let endpoint: boolean | Partial<EndpointConfig>;
    try {
      endpoint = this.endpointOption();
    } catch (e) {
      throw e instanceof SpeechError ? this.report(e) : e;
    }
    try {
      await rec.ready; // a model error is dispatched by the recognizer's error listener
      if (this.rec !== rec) return;
      this.setState('starting');
      await rec.startMicrophone({ endpoint });
      if (this.rec === rec) this.setState('listening');
    } catch (e) {
      if (this.rec === rec) this.setState(rec.info ? 'ready' : 'failed');
      throw e;
    }
  }

  /**
   * Load once at the end of this task: an upgrade reports every attribute before connectedCallback, and
   * scripts set several attributes in a row; each would otherwise start (and end) a worker.
   */
  private scheduleLoad(): void {
    if (this.loadQueued) return;
    this.loadQueued = true;
    queueMicrotask(() => {
      if (!this.loadQueued) return; // start() loaded meanwhile
      this.loadQueued = false;
      if (this.isConnected) this.load();
    });
  }

  /** (Re)create the recognizer from the attributes; undefined (and state idle or failed) when there is none. */
  private load(): SpeechRecognizer | undefined {
    this.loadQueued = false;
    this.teardown();
    const model = this.getAttribute('model');
    if (!model) {
      this.setState('idle');
      return undefined;
    }
    let rec: SpeechRecognizer;
    try {
      rec = new SpeechRecognizer({ ...this.recognizerOptions, ...this.options(), model });
    } catch (e) {
      this.report(e instanceof SpeechError ? e : usage(String(e)));
      this.setState('failed');
      return undefined;
    }
    this.rec = rec;
    this.offs = [
      rec.on('partial', (p) => {
        this.partialEl.textContent = p.text;
        this.fire('earshot-partial', { text: p.text, words: p.words });
      }),
      rec.on('final', (r) => {
        this.partialEl.textContent = '';
        this.write(r.text);
        this.fire('earshot-final', { text: r.text, words: r.words, result: r });
      }),
      rec.on('level', ({ rms }) => (this.level.style.transform = `scaleX(${Math.min(1, Math.sqrt(rms) * 2).toFixed(3)})`)),
      rec.on('error', (e) => {
        this.report(e);
        if (rec.listening && this.current === 'listening') void this.stop(); // device lost, audio suspended: finalize what was heard
      }),
    ];
    this.setState('loading');
    rec.ready.then(
      () => this.rec === rec && this.current === 'loading' && this.setState('ready'),
      () => this.rec === rec && this.setState('failed'),
    );
    return rec;
  }

  /** The recognizer options the attributes give; throws a SpeechError ('usage') naming a bad attribute. */
  private options(): Omit<SpeechRecognizerOptions, 'model'> {
    const o: Omit<SpeechRecognizerOptions, 'model'> = {};
    const providers = this.getAttribute('providers');
    if (providers !== null) {
      const list = providers.split(/[\s,]+/).filter(Boolean);
      const bad = list.filter((p) => !(PROVIDERS as readonly string[]).includes(p));
      if (bad.length || !list.length) throw usage(`<earshot-mic providers="${providers}">: use some of ${PROVIDERS.join(', ')}, in order of preference`);
      o.executionProviders = list as ExecutionProviderName[];
    }
    const threads = this.getAttribute('threads');
    if (threads !== null) {
      const n = Number(threads);
      if (!Number.isInteger(n) || n < 1) throw usage(`<earshot-mic threads="${threads}">: give a whole number of threads, 1 or more`);
      o.numThreads = n;
    }
    const wasmPaths = this.getAttribute('wasm-paths');
    if (wasmPaths) o.wasmPaths = wasmPaths;
    const sha256 = this.getAttribute('sha256');
    if (sha256) o.sha256 = sha256;
    if (this.hasAttribute('no-cache')) o.cache = false;
    const decoder = this.decoder();
    if (decoder) o.decoder = decoder;
    o.endpoint = this.endpointOption(); // checked before a worker starts; startMicrophone reads it afresh
    return o;
  }

  /** The `endpoint` attribute: absent, "", "true" = defaults; "false" = off; seconds of trailing silence; or a JSON object of rules. */
  private endpointOption(): boolean | Partial<EndpointConfig> {
    const attr = this.getAttribute('endpoint')?.trim();
    if (attr === undefined || attr === '' || attr === 'true') return true;
    if (attr === 'false') return false;
    const bad = (): SpeechError => usage(`<earshot-mic endpoint="${attr}">: leave it empty for the default rules, or give seconds of trailing silence (endpoint="0.8"), or a JSON object of endpoint rules such as {"rule2MinTrailingSilence":0.8}`);
    if (attr.startsWith('{')) {
      let rules: unknown;
      try {
        rules = JSON.parse(attr);
      } catch {
        throw bad();
      }
      if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw bad();
      return rules as Partial<EndpointConfig>; // the fields are checked by the recognizer, which names a bad one
    }
    const sec = Number(attr);
    if (!Number.isFinite(sec) || sec <= 0) throw bad();
    return trailingSilenceRules(sec);
  }

  private decoder(): SpeechDecoderOptions | undefined {
    const attr = this.getAttribute('decoder')?.trim();
    const lm = this.getAttribute('lm') ?? undefined;
    let d: SpeechDecoderOptions | undefined;
    if (!attr) d = lm ? { type: 'beam' } : undefined;
    else if (attr === 'greedy' || attr === 'beam') d = { type: attr };
    else {
      try {
        d = JSON.parse(attr) as SpeechDecoderOptions;
      } catch {
        d = undefined;
      }
      if (typeof d !== 'object' || d === null) throw usage(`<earshot-mic decoder='${attr}'>: use "greedy", "beam", or a JSON object such as {"type":"beam","beam":8}`);
    }
    if (lm !== undefined) {
      if (d?.type !== 'beam') throw usage('<earshot-mic lm=...> needs the beam decoder: remove decoder="greedy"');
      return { ...d, lm };
    }
    return d;
  }

  /** Put the final text into the target element, as typing would (an `input` event follows). */
  private write(text: string): void {
    const t = this.target;
    if (!t || !text) return;
    const mode = this.getAttribute('mode') ?? 'insert';
    const joined = (before: string, after = ''): string => `${before && !/\s$/.test(before) ? ' ' : ''}${text}${after && !/^\s/.test(after) ? ' ' : ''}`;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) {
      let start: number | null = null;
      try {
        start = t.selectionStart; // null, or a throw, for input types without a caret (email, number)
      } catch {
        start = null;
      }
      if (mode === 'replace') t.value = text;
      else if (mode === 'insert' && start !== null) {
        const end = t.selectionEnd ?? start;
        t.setRangeText(joined(t.value.slice(0, start), t.value.slice(end)), start, end, 'end');
      } else t.value += joined(t.value);
    } else if (t.isContentEditable) {
      t.textContent = mode === 'replace' ? text : (t.textContent ?? '') + joined(t.textContent ?? '');
    } else return;
    t.dispatchEvent(new Event('input', { bubbles: true }));
  }

  private teardown(): void {
    const rec = this.rec;
    this.starting = undefined;
    if (!rec) return;
    this.rec = undefined;
    this.offs.forEach((off) => off());
    this.offs = [];
    rec.dispose(); // releases the microphone at once and ends the worker
    this.partialEl.textContent = '';
    this.level.style.transform = 'scaleX(0)';
  }

  private setState(s: EarshotMicState): void {
    const previous = this.current;
    if (s === previous) return;
    this.current = s;
    if (this.isConnected) this.setAttribute('state', s);
    this.button.setAttribute('aria-pressed', String(s === 'listening'));
    const busy = s === 'loading' || s === 'starting' || s === 'stopping';
    if (busy) this.button.setAttribute('aria-busy', 'true');
    else this.button.removeAttribute('aria-busy');
    this.statusEl.textContent = STATUS[s];
    if (s !== 'listening') this.level.style.transform = 'scaleX(0)';
    this.fire('earshot-state', { state: s, previous, info: this.rec?.info });
  }

  private updateLabel(): void {
    const label = this.getAttribute('label') || 'Speech input';
    this.button.setAttribute('aria-label', label);
    this.button.title = label;
  }

  /** Show and dispatch an error; returns it for throwing. */
  private report(e: SpeechError): SpeechError {
    this.errorEl.textContent = e.message;
    this.fire('earshot-error', { code: e.code, message: e.message, error: e });
    return e;
  }

  private fire<K extends keyof EarshotMicEventMap>(type: K, detail: EarshotMicEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/**
 * Define the element under `name` (default "earshot-mic"; importing this module already did that).
 * Returns the class registered under that name.
 * @example
 * import { defineEarshotMic } from 'earshot/web/mic-element';
 * defineEarshotMic('my-dictation-button');
 */
export function defineEarshotMic(name = 'earshot-mic'): CustomElementConstructor | undefined {
  if (typeof customElements === 'undefined') return undefined;
  const existing = customElements.get(name);
  if (existing) return existing;
  // one class per name: the registry rejects a constructor registered twice
  customElements.define(name, name === 'earshot-mic' ? EarshotMicElement : class extends EarshotMicElement {});
  return customElements.get(name);
}

defineEarshotMic();

declare global {
  interface HTMLElementTagNameMap {
    'earshot-mic': EarshotMicElement;
  }
  interface HTMLElementEventMap extends EarshotMicEventMap {}
}
