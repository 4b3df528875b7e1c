"""Tier 3: real nginx (Debian) on loopback proxying the subpath /meet/ to the daemon, configured
from the shipped example config/nginx/plenum.conf (TLS and server_name replaced for loopback).
The page, the API and the whole join/chat flow must work through it, with the Origin check
using X-Forwarded-Proto only because nginx is a trusted proxy."""
import os
import re
import shutil
import socket
import subprocess

from plenumtest import SOURCE_DIR, Daemon, Client, check, fail, run


def nginx_config(tmp, listen_port, daemon_port):
    with open(os.path.join(SOURCE_DIR, "config", "nginx", "plenum.conf")) as f:
        site = f.read()
    site = re.sub(r"listen 443 ssl http2;", "listen 127.0.0.1:%d;" % listen_port, site)
    site = re.sub(r"\s*ssl_certificate[^;]*;", "", site)
    site = site.replace("server_name meet.example.org;", "server_name localhost;")
    site = site.replace("http://127.0.0.1:8080", "http://127.0.0.1:%d" % daemon_port)
    check("proxy_pass http://127.0.0.1:%d" % daemon_port in site, "example config has the proxy_pass line")
    return """
worker_processes 1;
daemon off;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log;
events { worker_connections 64; }
http {
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    %(site)s
}
""" % {"tmp": tmp, "site": site}


async def main():
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check(os.path.exists(nginx), "nginx is installed (make test installs nginx-light)")
    # nginx's port stays bound until nginx starts, so the daemon's own free_port() cannot pick
    # the same one (seen once: a run failed within 0.3 s; nginx exits when its port is taken).
    hold = socket.socket()
    hold.bind(("127.0.0.1", 0))
    proxy_port = hold.getsockname()[1]
    origin = "http://127.0.0.1:%d" % proxy_port
    d = Daemon(base_path="/meet/", extra={"http": {"trusted_proxies": "127.0.0.1",
                                                    "allowed_origins": origin}}).start()
    hold.close()
    conf = os.path.join(d.dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_config(d.dir, proxy_port, d.port))
    ng = subprocess.Popen([nginx, "-c", conf, "-p", d.dir], stderr=subprocess.PIPE)
    try:
        base = origin + "/meet/"
        for _ in range(200):
            try:
                st, h, body = d.http_get(None, url=base + "healthz")
                if st == 200:
                    break
            except OSError:
                if ng.poll() is not None:
                    fail("nginx exited: %s" % ng.stderr.read().decode())
                import time; time.sleep(0.05)
        st, h, body = d.http_get(None, url=base)
        check(st == 200 and b'<base href="/meet/">' in body, "page through the proxy: %s" % st)
        check("Content-Security-Policy" in h, "security headers pass the proxy")
        st, h, body = d.http_get(None, url=base + "api/privacy")
        check(st == 200, "api through the proxy")
        st, _, _ = d.http_get(None, url=base + "metrics")
        check(st == 404, "the example keeps /metrics off the internet: %s" % st)
        st, _, body = d.http_get("metrics")
        check(st == 200 and b"plenum_media_rtp_in_total" in body, "/metrics directly: %s" % st)
        a = await Client.connect(d, url="ws://127.0.0.1:%d/meet/ws" % proxy_port, origin=origin)
        b = await Client.connect(d, url="ws://127.0.0.1:%d/meet/ws" % proxy_port, origin=origin)
        await a.join("proxied-room", "Anna")
        await b.join("proxied-room", "Ben")
        await a.until("participant-joined")
        await b.request({"type": "chat", "text": "through nginx"})
        m = await a.until("chat")
        check(m["text"] == "through nginx", "chat through the proxy")
        await a.alive()
        # The daemon itself is not reachable under another origin.
        try:
            await Client.connect(d, url="ws://127.0.0.1:%d/meet/ws" % proxy_port, origin="http://evil.example")
            fail("foreign origin accepted through the proxy")
        except Exception as e:
            check("403" in str(e), "foreign origin refused with 403: %s" % e)
        await a.close()
        await b.close()
    finally:
        ng.terminate()
        ng.wait()
        d.stop()


run(main)
