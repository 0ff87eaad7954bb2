#!/usr/bin/env python3
"""Runs the benchmarks of bench/ in one go and prints one table (also written to bench/README.md).

Everything is measured in the same run on the same machine: tilangbot, the minimal Beast POST server
built from bench/, and the Express peer of ../shared/peers/express-webhook in both modes. Ratios, not
absolute numbers, are what carry over to another machine.
Usage: bench/run_bench.py BUILD_DIR [--quick]
"""
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
SECRET = "bench-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


class Server:
    def __init__(self, name, argv, env, port, cwd=None):
        self.name, self.port = name, port
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, cwd=cwd, stdout=self.log, stderr=self.log)
        wait_port(port)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load(build, port, rate, duration, connections, prefix):
    argv = [os.path.join(build, "bench", "webhook_load"), "--port", str(port), "--rate", str(rate),
            "--duration", str(duration), "--connections", str(connections), "--secret", SECRET,
            "--prefix", prefix]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_tilangbot(build, workdir, port):
    env = {"TILANGBOT_LISTEN": f"127.0.0.1:{port}", "TILANGBOT_DB": os.path.join(workdir, "bench.db"),
           "TILANGBOT_MEDIA_DIR": os.path.join(workdir, "media"), "WA_APP_SECRET": SECRET,
           "WA_VERIFY_TOKEN": "bench-verify", "WA_ACCESS_TOKEN": "bench-token",
           "WA_PHONE_NUMBER_ID": "106540352242922", "WA_GRAPH_URL": "http://127.0.0.1:9"}
    return Server("tilangbot", [os.path.join(build, "tilangbot"), "serve"], env, port)


def install_peer(build):
    src = os.path.join(SHARED, "peers", "express-webhook")
    dst = os.path.join(build, "peer-express")
    if not os.path.isdir(os.path.join(dst, "node_modules", "better-sqlite3")):
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--build-from-source", "--nodedir=/usr"],
                       cwd=dst, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return dst


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    quick = "--quick" in sys.argv
    duration = 3 if quick else 10
    connections = 64
    rates = [160, 2000, 3000]
    rows, notes = [], []
    workdir = tempfile.mkdtemp(prefix="tilangbot-bench-")

    def closed_and_open(name, start):
        server = start()
        try:
            closed = load(build, server.port, 0, duration, connections, name + "c")
            opens = {r: load(build, server.port, r, duration, 32, f"{name}o{r}") for r in rates}
            mem = peak_rss_mb(server.proc.pid)
        finally:
            server.stop()
        return closed, opens, mem

    # tilangbot: idle memory first, then load.
    port = free_port()
    bot = start_tilangbot(build, workdir, port)
    time.sleep(1)
    idle_rss = rss_mb(bot.proc.pid)
    bot.stop()
    results = {}
    results["tilangbot"] = closed_and_open("tb", lambda: start_tilangbot(build, workdir, free_port()))
    mport = free_port()
    results["minimal Beast server"] = closed_and_open(
        "min", lambda: Server("minimal", [os.path.join(build, "bench", "minimal_server"), str(mport)], {}, mport))
    try:
        peer_dir = install_peer(build)
        for mode, env in (("express peer (sqlite FULL)", {"PEER_STORE": "sqlite", "PEER_SYNC": "FULL"}),
                          ("express peer (none)", {"PEER_STORE": "none"})):
            pport = free_port()
            penv = {"PORT": str(pport), "WA_APP_SECRET": SECRET, "PEER_DB": os.path.join(workdir, f"peer-{pport}.db"), **env}
            results[mode] = closed_and_open(
                "p" + str(pport), lambda penv=penv, pport=pport: Server("peer", ["node", "server.js"], penv, pport, cwd=peer_dir))
    except Exception as e:  # the peer needs npm; report instead of failing the whole run
        notes.append(f"express peer not measured: {e}")

    tb_closed = results["tilangbot"][0]["throughput"]
    header = "| server | closed-loop req/s | ratio tilangbot/it | " + " | ".join(
        f"p50/p99/p99.9 ms @ {r}/s" for r in rates) + " | peak RSS MB |"
    sep = "|" + "---|" * (4 + len(rates))
    lines = [header, sep]
    for name, (closed, opens, mem) in results.items():
        ratio = tb_closed / closed["throughput"] if closed["throughput"] else 0
        cells = [f"{o['p50_ms']:.2f} / {o['p99_ms']:.2f} / {o['p999_ms']:.2f}" + ("" if o["ok"] == o["requests"] else f" ({o['requests'] - o['ok']} non-200)")
                 for o in opens.values()]
        lines.append(f"| {name} | {closed['throughput']:.0f} | {ratio:.2f}x | " + " | ".join(cells) + f" | {mem:.1f} |")
    lines.append("")
    lines.append(f"tilangbot idle RSS: {idle_rss:.1f} MB; non-200 answers in the closed loop: "
                 f"{results['tilangbot'][0]['requests'] - results['tilangbot'][0]['ok']}")
    lines += notes
    table = "\n".join(lines)
    print(table)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    readme = os.path.join(ROOT, "bench", "README.md")
    with open(readme) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    block = f"{begin}\nMeasured {date.today().isoformat()} on {machine}; {duration} s per run, " \
            f"{connections} connections closed loop, 32 connections open loop.\n\n{table}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    with open(readme, "w") as f:
        f.write(text)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
