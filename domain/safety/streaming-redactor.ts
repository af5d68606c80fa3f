// Post-model safety on a token stream. Deltas go in; only text that no later delta can turn into (part of)
// a finding comes out, with findings replaced by placeholders. The redactor holds back the tail that some
// detector reports as possibly unfinished (Detector.pendingFrom: the last token, a number still being
// written, the beginning of a threat phrase), never releases the middle of a finding, and flushes everything
// at the end. Only the detectors of categories the policy does not allow are consulted, so each detector's
// pendingFrom must cover its own findings (test/safety/streaming-redactor.test.ts checks this with toxicity
// allowed).
// Each push re-scans only the held-back tail plus a little context, so the cost stays linear in the stream.
import type { StagePolicy } from './safety-policy.js';
import { actionableFindings, detectorsFor } from './policy-engine.js';
import { applyRedactions } from './redaction.js';
import type { Detector, Finding } from './safety-types.js';
import { tokenStartAt } from './text-scan.js';

export interface StreamingRedactorOptions {
  detectors: readonly Detector[];
  policy: StagePolicy;
  /** Text kept before the release point so that rules with a left context ("SSN: …") still see it. */
  contextChars?: number;
  /**
   * Most text held back at once. Beyond it (say, one 10 kB token) the older part is released anyway, with
   * any finding reaching into it redacted whole, so memory and latency stay bounded.
   */
  maxHoldChars?: number;
}

export interface RedactorOutput {
  /** Text safe to publish now. */
  text: string;
  /** Findings acted on in this output; offsets refer to the whole stream as received. */
  findings: Finding[];
  /** Set once a finding of a blocking category appears: the text before it is released, nothing after. */
  blocked: boolean;
}

export class StreamingRedactor {
  private readonly detectors: Detector[];
  private readonly policy: StagePolicy;
  private readonly contextChars: number;
  private readonly maxHoldChars: number;
  /** Received text from absolute offset `base` on. */
  private window = '';
  private base = 0;
  private released = 0;
  private blocked = false;
  private ended = false;

  constructor(options: StreamingRedactorOptions) {
    this.detectors = detectorsFor(options.detectors, options.policy);
    this.policy = options.policy;
    this.contextChars = options.contextChars ?? 64;
    this.maxHoldChars = options.maxHoldChars ?? 8192;
  }

  /** Characters of the input released so far (placeholders not counted). */
  get releasedLength(): number {
    return this.released;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  push(delta: string): RedactorOutput {
    if (this.ended) throw new Error('StreamingRedactor: push after end');
    if (this.blocked) return { text: '', findings: [], blocked: true };
    this.window += delta;
    // A policy that allows every category has nothing to wait for.
    if (this.detectors.length === 0) return this.release(true);
    // Most detectors hold back the unfinished last token, so a delta without whitespace rarely makes more text
    // releasable; skipping the scan then saves most of the work on a token-by-token stream (and only delays).
    if (!/\s/.test(delta) && this.window.length - (this.released - this.base) <= this.maxHoldChars) return { text: '', findings: [], blocked: false };
    return this.release(false);
  }

  /** Releases everything still held back. */
  end(): RedactorOutput {
    if (this.ended) return { text: '', findings: [], blocked: this.blocked };
    const output = this.blocked ? { text: '', findings: [], blocked: true } : this.release(true);
    this.ended = true;
    return output;
  }

  private release(final: boolean): RedactorOutput {
    const text = this.window;
    const from = this.released - this.base;
    const findings = actionableFindings(this.detectors.flatMap((detector) => detector.detect(text)), this.policy);
    let cut = final ? text.length : Math.min(text.length, ...this.detectors.map((detector) => detector.pendingFrom(text)));
    const forced = !final && text.length - from > this.maxHoldChars;
    if (forced) cut = Math.max(cut, text.length - Math.floor(this.maxHoldChars / 2));
    cut = forced ? extendPastFindings(findings, cut) : retreatBeforeFindings(text, findings, cut);
    if (cut <= from) return { text: '', findings: [], blocked: false };

    const released = findings
      .filter((finding) => finding.end > from && finding.start < cut)
      .map((finding) => ({ ...finding, start: Math.max(finding.start, from) - from, end: Math.min(finding.end, cut) - from }))
      .sort((left, right) => left.start - right.start);
    const firstBlock = released.find((finding) => this.policy[finding.category].action === 'block');
    if (firstBlock) {
      cut = from + firstBlock.start;
      this.blocked = true;
    }
    const redact = released.filter((finding) => finding.start < cut - from && this.policy[finding.category].action === 'redact');
    const output = applyRedactions(text.slice(from, cut), redact);
    const reported = (firstBlock ? [...redact, firstBlock] : redact).map((finding) => ({ ...finding, start: finding.start + this.released, end: finding.end + this.released }));
    this.released = this.base + cut;
    this.trim(cut);
    return { text: output, findings: reported, blocked: this.blocked };
  }

  /** Drops released text except the context that the next scan needs, starting at a token boundary. */
  private trim(cut: number): void {
    const wanted = Math.max(0, cut - this.contextChars);
    const tokenStart = tokenStartAt(this.window, wanted);
    const keepFrom = wanted - tokenStart <= this.contextChars * 4 ? tokenStart : wanted;
    this.window = this.window.slice(keepFrom);
    this.base += keepFrom;
  }
}

/** Moves the cut back to the start of the token in which a finding spanning it begins, until none spans it. */
function retreatBeforeFindings(text: string, findings: readonly Finding[], initial: number): number {
  let cut = initial;
  for (let moved = true; moved; ) {
    moved = false;
    for (const finding of findings) {
      if (finding.start < cut && finding.end > cut) {
        cut = tokenStartAt(text, finding.start);
        moved = true;
      }
    }
  }
  return cut;
}

/** Moves the cut forward past any finding spanning it, so that a forced release redacts findings whole. */
function extendPastFindings(findings: readonly Finding[], initial: number): number {
  let cut = initial;
  for (let moved = true; moved; ) {
    moved = false;
    for (const finding of findings) {
      if (finding.start < cut && finding.end > cut) {
        cut = finding.end;
        moved = true;
      }
    }
  }
  return cut;
}
