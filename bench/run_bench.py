#!/usr/bin/env python3
"""Runs the benchmarks of bench/ in one go and prints one table (also written to bench/README.md).

Everything is measured in the same run on the same machine: tilangbot, the minimal Beast POST server
built from bench/, and the Express peer of ../shared/peers/express-webhook in both modes. Ratios, not
absolute numbers, are what carry over to another machine.
Push: bench/push_bench enqueues e-TLE notices through the import's storage path and pushes them
through the Sender and the real Graph client to bench/fake_graph_server (a separate process), uncapped
and with WA_MAX_MPS=1000; the fake measures the rate and the most requests in any one-second window.
Usage: bench/run_bench.py BUILD_DIR [--quick] [--push-only | --no-push]
  --push-only rewrites only the push part of bench/README.md's table (the ingest part stays as it is).
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


def start_tilangbot(build, workdir, port, graph_url="http://127.0.0.1:9"):
    env = {"TILANGBOT_LISTEN": f"127.0.0.1:{port}", "TILANGBOT_DB": os.path.join(workdir, "bench.db"),
           "TILANGBOT_MEDIA_DIR": os.path.join(workdir, "media"), "WA_APP_SECRET": SECRET,
           "WA_VERIFY_TOKEN": "bench-verify", "WA_ACCESS_TOKEN": "bench-token",
           "WA_PHONE_NUMBER_ID": "106540352242922", "WA_GRAPH_URL": graph_url, "WA_MAX_MPS": "1000"}
    return Server("tilangbot", [os.path.join(build, "tilangbot"), "serve"], env, port)


def start_fake_graph(build):
    """bench/fake_graph_server as a separate process: tilangbot's replies really go out during ingest."""
    proc = subprocess.Popen([os.path.join(build, "bench", "fake_graph_server"), "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    port = int(proc.stdout.readline().strip())
    return proc, f"http://127.0.0.1:{port}"


def engine_line(build):
    out = subprocess.run([os.path.join(build, "bench", "engine_bench"), "20000"], capture_output=True, text=True,
                         check=True, timeout=600).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return (f"Engine (`bench/engine_bench`, {r['events']:,} text messages): pure flows with rendering "
            f"{r['pure_flows_per_s']:,.0f} events/s; full turns (load state, step, fine lookup, render, commit "
            f"state + outbox + handled mark in one durable transaction) {r['engine_turns_per_s']:,.0f} turns/s.")


def install_peer(build):
    src = os.path.join(SHARED, "peers", "express-webhook")
    dst = os.path.join(build, "peer-express")
    if not os.path.isdir(os.path.join(dst, "node_modules", "better-sqlite3")):
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--build-from-source", "--nodedir=/usr"],
                       cwd=dst, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return dst


PUSH_BEGIN, PUSH_END = "<!-- bench:push:begin -->", "<!-- bench:push:end -->"


def push_run(build, rows, max_mps, workers=8):
    argv = [os.path.join(build, "bench", "push_bench"), str(rows), str(max_mps), str(workers)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def push_section(build, quick):
    """The e-TLE push table (markdown) as one string."""
    big = 20_000 if quick else 100_000
    small = big // 10
    # Memory is compared at the same rate (capped) with 10x more notices queued.
    runs = [("uncapped", big, 0), ("WA_MAX_MPS=1000", small, 1000), ("WA_MAX_MPS=1000", big, 1000)]
    lines = ["| push | notices | msg/s (notices / push time) | first to last request at the fake |"
             " most in any 1 s window (sliding) | most in one whole second | sent twice | sender peak RSS MB |",
             "|---|---|---|---|---|---|---|---|"]
    results = []
    for name, rows, mps in runs:
        r = push_run(build, rows, mps)
        results.append(r)
        fake = r["fake"]
        lines.append(f"| {name} | {rows:,} | {r['throughput']:.0f} | {fake['achieved_rate']:.1f}/s |"
                     f" {fake['max_any_1s_window']} | {fake['max_per_second']} | {fake['duplicates']} |"
                     f" {r['peak_rss_mb']:.1f} |")
    capped = results[2]
    # Notices over the whole push (sender start to empty backlog): the pacer sends in one-second
    # bursts, so first-to-last request spacing overstates the rate by one window.
    rate = capped["throughput"]
    lines.append("")
    lines.append(f"WA_MAX_MPS=1000: achieved {rate:.1f}/s ({(rate - 1000) / 10:+.2f}% of 1,000), most in any one-second "
                 f"window {capped['fake']['max_any_1s_window']} (limit 1,000). Sender peak RSS at 1,000/s: {results[1]['peak_rss_mb']:.1f} MB "
                 f"with {small:,} queued notices, {capped['peak_rss_mb']:.1f} MB with {big:,} (high-water mark reset after the "
                 f"enqueue); uncapped it also holds the pair-rate buckets of the last ~6 s of recipients. Enqueue "
                 f"{results[0]['enqueue_per_s']:.0f} notices/s, 1,000 per transaction.")
    return "\n".join(lines)


def write_push_only(section):
    readme = os.path.join(ROOT, "bench", "README.md")
    with open(readme) as f:
        text = f.read()
    block = f"{PUSH_BEGIN}\n{section}\n{PUSH_END}"
    if PUSH_BEGIN in text and PUSH_END in text:
        text = text[:text.index(PUSH_BEGIN)] + block + text[text.index(PUSH_END) + len(PUSH_END):]
    elif "<!-- bench:end -->" in text:
        at = text.index("<!-- bench:end -->")
        text = text[:at] + block + "\n" + text[at:]
    else:
        text += "\n" + block + "\n"
    with open(readme, "w") as f:
        f.write(text)


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    quick = "--quick" in sys.argv
    push = None if "--no-push" in sys.argv else push_section(build, quick)
    if push is not None:
        print(push)
    if "--push-only" in sys.argv:
        write_push_only(push)
        return
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
    graph_proc, graph_url = start_fake_graph(build)
    try:
        results["tilangbot"] = closed_and_open("tb", lambda: start_tilangbot(build, workdir, free_port(), graph_url))
    finally:
        graph_proc.terminate()
        graph_proc.wait(timeout=15)
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
    lines.append("")
    lines.append("tilangbot runs whole: every message is parsed, answered by the engine and the replies sent to "
                 "bench/fake_graph_server (a separate process) while the load runs.")
    lines.append("")
    lines.append(engine_line(build))
    table = "\n".join(lines)
    print(table)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}"
    readme = os.path.join(ROOT, "bench", "README.md")
    with open(readme) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if push is None and PUSH_BEGIN in text and PUSH_END in text:
        # --no-push keeps the push part measured earlier.
        push_block = text[text.index(PUSH_BEGIN):text.index(PUSH_END) + len(PUSH_END)]
    else:
        push_block = f"{PUSH_BEGIN}\n{push or '(not run yet)'}\n{PUSH_END}"
    block = f"{begin}\nMeasured {date.today().isoformat()} on {machine}; {duration} s per run, " \
            f"{connections} connections closed loop, 32 connections open loop.\n\n{table}\n\n{push_block}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n" + block + "\n"
    with open(readme, "w") as f:
        f.write(text)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
