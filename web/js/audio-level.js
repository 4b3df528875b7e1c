// Speaking indicator: an AnalyserNode per audio track, polled a few times a second.
let ctx = null;
const meters = new Map(); // key -> { analyser, source, buf, onChange, speaking }

export function watch(key, track, onChange) {
  unwatch(key);
  try {
    ctx = ctx || new AudioContext();
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    meters.set(key, { analyser, source, buf: new Uint8Array(analyser.fftSize), onChange, speaking: false });
  } catch (e) { /* no WebAudio: no indicator */ }
}

export function unwatch(key) {
  const m = meters.get(key);
  if (m) { m.source.disconnect(); meters.delete(key); }
}

setInterval(() => {
  for (const m of meters.values()) {
    m.analyser.getByteTimeDomainData(m.buf);
    let sum = 0;
    for (const v of m.buf) { const d = (v - 128) / 128; sum += d * d; }
    const speaking = Math.sqrt(sum / m.buf.length) > 0.04;
    if (speaking !== m.speaking) { m.speaking = speaking; m.onChange(speaking); }
  }
}, 200);
