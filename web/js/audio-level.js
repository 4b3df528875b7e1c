// Audio levels from a WebAudio AnalyserNode per track, polled five times a second: the speaking
// indicator on tiles (watch) and the microphone meter in the pre-join screen (watchLevel).
const POLL_MS = 200;
const SPEAKING_RMS = 0.04; // RMS of the waveform (full scale 1.0) above which someone speaks

let ctx = null;
const meters = new Map(); // key -> { analyser, source, buf, onLevel }
let timer = null;

function poll() {
  for (const m of meters.values()) {
    m.analyser.getByteTimeDomainData(m.buf);
    let sum = 0;
    for (const v of m.buf) { const d = (v - 128) / 128; sum += d * d; }
    m.onLevel(Math.sqrt(sum / m.buf.length));
  }
}

// onLevel(rms 0..1) is called every POLL_MS while the track is watched.
export function watchLevel(key, track, onLevel) {
  unwatch(key);
  if (!track) return;
  try {
    ctx = ctx || new AudioContext();
    if (ctx.state === 'suspended') {
      // Before any click or key press the browser keeps audio suspended: resume on the first.
      const resume = () => ctx.resume().catch(() => {});
      resume();
      document.addEventListener('pointerdown', resume, { once: true });
      document.addEventListener('keydown', resume, { once: true });
    }
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    meters.set(key, { analyser, source, buf: new Uint8Array(analyser.fftSize), onLevel });
    if (!timer) timer = setInterval(poll, POLL_MS);
  } catch { /* no WebAudio: no indicator */ }
}

// onChange(speaking) is called when the speaking state changes.
export function watch(key, track, onChange) {
  let speaking = false;
  watchLevel(key, track, (rms) => {
    const now = rms > SPEAKING_RMS;
    if (now !== speaking) { speaking = now; onChange(now); }
  });
}

export function unwatch(key) {
  const m = meters.get(key);
  if (!m) return;
  m.source.disconnect();
  meters.delete(key);
  if (meters.size === 0 && timer) { clearInterval(timer); timer = null; }
}
