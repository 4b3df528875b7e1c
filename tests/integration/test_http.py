"""Tier 3: the HTTP side of the real daemon: static files with MIME types, caching and security
headers; the SPA routes; traversal refused; /healthz; /api/client and /api/privacy from config."""
import json

from plenumtest import Daemon, check, parse_metrics, run

SECURITY = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def headers_ok(h, what):
    csp = h.get("Content-Security-Policy", "")
    check("default-src 'self'" in csp and "http" not in csp.replace("'self'", ""),
          "%s: CSP allows only the own origin: %r" % (what, csp))
    for k, v in SECURITY.items():
        check(h.get(k) == v, "%s: %s is %r" % (what, k, h.get(k)))
    pp = h.get("Permissions-Policy", "")
    for feat in ("camera=(self)", "microphone=(self)", "display-capture=(self)"):
        check(feat in pp, "%s: Permissions-Policy %r lacks %s" % (what, pp, feat))


async def main():
    d = Daemon(extra={"client": {"camera_on_join": "true"}}).start()
    try:
        st, h, body = d.http_get("")
        check(st == 200 and h["Content-Type"].startswith("text/html"), "index: %s %s" % (st, h.get("Content-Type")))
        check(b'<base href="/">' in body, "index carries the base path")
        check(b"{{BASE_PATH}}" not in body, "placeholder substituted")
        headers_ok(h, "index")
        st2, _, body2 = d.http_get("r/weekly-team")
        check(st2 == 200 and body2 == body, "room link serves the app")
        st, h, _ = d.http_get("healthz")
        check(st == 200, "healthz 200")
        headers_ok(h, "healthz")
        st, h, body = d.http_get("metrics")
        check(st == 200 and h["Content-Type"].startswith("text/plain; version=0.0.4"),
              "metrics: %s %s" % (st, h.get("Content-Type")))
        headers_ok(h, "metrics")
        metrics = parse_metrics(body.decode())
        check(metrics.get("plenum_sessions") == 0 and metrics.get("plenum_rooms") == 0,
              "metrics gauges: %r" % metrics)
        for k in ("plenum_media_transports_created_total", "plenum_media_srtp_replayed_total",
                  "plenum_media_retransmits_capped_total", "plenum_media_pli_suppressed_total"):
            check(metrics.get(k) == 0, "metrics has %s = 0: %r" % (k, metrics.get(k)))
        check(len(metrics) >= 30, "%d metrics" % len(metrics))
        # The forwarding-delay histogram is there, empty, before any media.
        delay = "plenum_media_forward_delay_seconds"
        check(metrics.get(delay + '_bucket{le="+Inf"}') == 0 and
              metrics.get(delay + "_count") == 0 and metrics.get(delay + "_sum") == 0.0,
              "empty forward delay histogram: %r" %
              {k: v for k, v in metrics.items() if k.startswith(delay)})
        st, h, body = d.http_get("api/client")
        c = json.loads(body)
        check(st == 200 and c["cameraOnJoin"] is True and c["microphoneOnJoin"] is False,
              "api/client follows [client]: %r" % c)
        st, h, body = d.http_get("api/privacy")
        p = json.loads(body)
        check(p["recording"] is False and p["storesChat"] is False and p["storesNames"] is False,
              "privacy notice %r" % p)
        check(p["logs"]["personalData"] is False and p["thirdParties"] == [], "privacy logs %r" % p)
        # A static asset: MIME type, revalidation with ETag.
        st, h, body = d.http_get("i18n/en.json")
        if st == 200:
            check(h["Content-Type"].startswith("application/json"), "json mime %r" % h["Content-Type"])
            etag = h.get("ETag")
            check(etag, "asset has an ETag")
            st304, _, _ = d.http_get("i18n/en.json", headers={"If-None-Match": etag})
            check(st304 == 304, "If-None-Match gives 304, got %s" % st304)
        for bad in ("../CMakeLists.txt", "%2e%2e/CMakeLists.txt", "js/../../README.md", ".git/config",
                    "nope.html"):
            st, h, _ = d.http_get(bad)
            check(st == 404 or st == 400, "%s must be refused, got %s" % (bad, st))
        st, _, _ = d.http_get("ws")
        check(st == 400, "plain GET on ws: %s" % st)
    finally:
        d.stop()


run(main)
