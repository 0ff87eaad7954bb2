#!/usr/bin/env python3
"""Runs the benchmarks of bench/ in one go and prints one table (also written to bench/README.md).

Everything is measured in the same run on the same machine: tilangbot, the minimal Beast POST server
built from bench/, and the Express peer of ../shared/peers/express-webhook in both modes. Ratios, not
absolute numbers, are what carry over to another machine.
Push: bench/push_bench enqueues e-TLE notices through the import's storage path and pushes them
through the Sender and the real Graph client to bench/fake_graph_server (a separate process), uncapped
and with WA_MAX_MPS=1000; the fake measures the rate and the most requests in any one-second window.
Memory: the real `tilangbot serve` with 0, 100,000 and 1,000,000 e-TLE notices queued by
bench/queue_notices, sending to bench/fake_graph_server at WA_MAX_MPS=1000 for 15 s: its peak RSS.
Usage: bench/run_bench.py BUILD_DIR [--quick] [--push-only | --no-push] [--memory-only | --no-memory]
  --push-only rewrites only the push part of bench/README.md's table (the ingest part stays as it is).
  --memory-only rewrites only the memory part; --no-memory keeps the one measured earlier.
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


def metric(port, name):
    """A gauge from tilangbot's /metrics (-1 when it cannot be read)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        for line in data.decode(errors="replace").splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    except OSError:
        pass
    return -1.0


def wait_backlog_drained(port, limit_s=300):
    """Waits until every acknowledged notification is parsed and answered; the backlog and how fast it went."""
    def backlog():
        return metric(port, "tilangbot_inbox_unparsed") + metric(port, "tilangbot_messages_unhandled")
    start, first = time.monotonic(), backlog()
    while time.monotonic() - start < limit_s and backlog() > 0:
        time.sleep(0.2)
    seconds = time.monotonic() - start
    return {"backlog": int(first), "seconds": seconds, "per_s": first / seconds if seconds > 0 else 0.0}


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
            f"state + outbox + handled mark; a savepoint per turn, up to 32 turns per durable commit) {r['engine_turns_per_s']:,.0f} turns/s.")


def disk_floor_line(build, workdir, quick):
    """The disk's floor under a durable ack: one group commit's bytes written and fdatasync'ed, idle disk."""
    out = subprocess.run([os.path.join(build, "bench", "fsync_probe"), workdir, "500" if quick else "2000"],
                         capture_output=True, text=True, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    writes = r["device_writes_per_sync"]
    per_sync = f"; {writes:.2f} device writes per fdatasync (1 would be the data alone)" if writes is not None else ""
    return (f"Disk floor (bench/fsync_probe, same run, nothing else running): {r['bytes'] // 1024} KiB overwritten in a "
            f"preallocated file + fdatasync, p50/p99/p99.9 {r['p50_ms']:.2f} / {r['p99_ms']:.2f} / {r['p999_ms']:.2f} ms"
            f"{per_sync}. Every tilangbot ack waits for at least one of these.")


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


MEMORY_BEGIN, MEMORY_END = "<!-- bench:memory:begin -->", "<!-- bench:memory:end -->"


def queued_memory_section(build, quick):
    """Issue 6 "Memory": peak RSS of the real `tilangbot serve` with 0 / N / 10N queued e-TLE notices,
    sending to bench/fake_graph_server at WA_MAX_MPS=1000 for a fixed time; and the rate and peak RSS
    of `tilangbot import etle` on generated CSV files. Markdown lines, markers included."""
    counts = [0, 10_000, 100_000] if quick else [0, 100_000, 1_000_000]
    csv_counts = [1_000, 10_000] if quick else [10_000, 100_000]
    seconds = 5 if quick else 15
    # The database and business number start_tilangbot gives the service.
    phone = "106540352242922"

    def status_kb(pid, key):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def accepted_metric(port):
        import urllib.request
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                for line in r.read().decode().splitlines():
                    if line.startswith("tilangbot_outbox_accepted_total "):
                        return int(float(line.split()[1]))
        except OSError:
            pass
        return -1

    def tool_env(workdir):
        return {**os.environ, "TILANGBOT_DB": os.path.join(workdir, "bench.db"), "WA_PHONE_NUMBER_ID": phone}

    def run_timed(argv, env):
        """Runs argv; its wall time, its peak RSS in MB (wait4 rusage) and its stdout."""
        out = tempfile.TemporaryFile(mode="w+")
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - start
        out.seek(0)
        text = out.read()
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {text.strip()[-300:]}")
        return elapsed, usage.ru_maxrss / 1024.0, text

    def one(n):
        workdir = tempfile.mkdtemp(prefix="tilangbot-mem-")
        try:
            env = tool_env(workdir)
            subprocess.run([os.path.join(build, "tilangbot"), "migrate"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            fill = None
            if n > 0:
                _, _, text = run_timed([os.path.join(build, "bench", "queue_notices"), str(n)], env)
                fill = json.loads(text.strip().splitlines()[-1])
                if fill["accepted"] != n:
                    raise RuntimeError(f"queue_notices stored {fill['accepted']} of {n}")
            db_mb = os.path.getsize(os.path.join(workdir, "bench.db")) / 2**20
            graph_proc, graph_url = start_fake_graph(build)
            try:
                port = free_port()
                started = time.monotonic()
                bot = start_tilangbot(build, workdir, port, graph_url)
                listening_s = time.monotonic() - started
                try:
                    # The first accepted send shows start-up work that grows with the queue (the port
                    # listens before the sender starts).
                    first_send_s = None
                    deadline = started + seconds
                    while n > 0 and time.monotonic() < deadline:
                        if accepted_metric(port) > 0:
                            first_send_s = time.monotonic() - started
                            break
                        time.sleep(0.05)
                    time.sleep(max(0.0, deadline - time.monotonic()))
                    accepted = accepted_metric(port)
                    pid = bot.proc.pid
                    hwm, anon = status_kb(pid, "VmHWM") / 1024.0, status_kb(pid, "RssAnon") / 1024.0
                finally:
                    bot.stop()
            finally:
                graph_proc.terminate()
                report, _ = graph_proc.communicate(timeout=30)
            fake = json.loads(report.strip().splitlines()[-1]) if report.strip() else {}
            return {"n": n, "fill": fill, "db_mb": db_mb, "listening_s": listening_s, "first_send_s": first_send_s, "accepted": accepted,
                    "requests": fake.get("total", 0), "max_window": fake.get("max_any_1s_window", 0),
                    "duplicates": fake.get("duplicates", 0), "hwm_mb": hwm, "anon_mb": anon}
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def import_csv(n):
        workdir = tempfile.mkdtemp(prefix="tilangbot-import-")
        try:
            today = date.today()
            violation = date.fromordinal(today.toordinal() - 1).isoformat() + "T08:31:00+07:00"
            confirm_by = date.fromordinal(today.toordinal() + 7).isoformat()
            path = os.path.join(workdir, "notices.csv")
            with open(path, "w") as f:
                f.write("notice_id,plate,owner_name,owner_wa,violation_time,location,article,fine_amount,"
                        "photo_url,confirm_by\n")
                f.writelines(f"CSV-{i},B {1000 + i % 9000} XYZ,Pemilik {i},62812{10_000_000 + i},{violation},"
                             f"\"Jl. Jend. Sudirman, Jakarta Pusat\",287 ayat (1),500000,"
                             f"https://etle-pmj.polri.go.id/foto/CSV-{i},{confirm_by}\n" for i in range(n))
            csv_mb = os.path.getsize(path) / 2**20
            elapsed, peak, text = run_timed([os.path.join(build, "tilangbot"), "import", "etle", path],
                                            tool_env(workdir))
            if f": {n} accepted," not in text:
                raise RuntimeError(f"import etle did not accept all {n} rows: {text.strip()[-300:]}")
            return {"n": n, "per_s": n / elapsed, "peak_mb": peak, "csv_mb": csv_mb}
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    runs = [one(n) for n in counts]
    imports = [import_csv(n) for n in csv_counts]
    lines = [MEMORY_BEGIN,
             f"| `tilangbot serve`, WA_MAX_MPS=1000, {seconds} s | enqueue notices/s (`queue_notices`) | database MB |"
             f" start to listening s | start to first send s | sent (fake received / tilangbot accepted) |"
             f" most in any 1 s window | sent twice | peak RSS MB (VmHWM) | anonymous RSS MB at the end |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        fill = f"{r['fill']['per_s']:,.0f}" if r["fill"] else "-"
        first = "-" if r["first_send_s"] is None else f"{r['first_send_s']:.2f}"
        lines.append(f"| {r['n']:,} queued notices | {fill} | {r['db_mb']:,.0f} | {r['listening_s']:.2f} | {first} |"
                     f" {r['requests']:,} / {r['accepted']:,} | {r['max_window']} | {r['duplicates']} |"
                     f" {r['hwm_mb']:.1f} | {r['anon_mb']:.1f} |")
    idle, mid, big = runs

    def delta(a, b):
        return f"{round(a - b, 1) + 0.0:+.1f}"  # + 0.0: never "-0.0"

    lines.append("")
    lines.append(f"Peak RSS with {big['n']:,} queued notices: {big['hwm_mb']:.1f} MB, {delta(big['hwm_mb'], mid['hwm_mb'])} MB "
                 f"against {mid['n']:,} and {delta(big['hwm_mb'], idle['hwm_mb'])} MB against an empty queue "
                 f"(ambition: flat in the number of queued notices). Sent in {seconds} s: {big['requests']:,} with "
                 f"{big['n']:,} queued, {mid['requests']:,} with {mid['n']:,}.")
    lines.append("")
    lines.append("`tilangbot import etle FILE.csv` (" + "; ".join(
        f"{i['n']:,} rows, {i['csv_mb']:.0f} MB: {i['per_s']:,.0f} notices/s, peak RSS {i['peak_mb']:.1f} MB"
        for i in imports) + ").")
    lines.append(MEMORY_END)
    return lines


def queued_memory_lines(build, quick):
    """The memory block for a whole run: measured now, or with --no-memory the one bench/README.md has."""
    if "--no-memory" not in sys.argv:
        return queued_memory_section(build, quick)
    with open(os.path.join(ROOT, "bench", "README.md")) as f:
        text = f.read()
    if MEMORY_BEGIN in text and MEMORY_END in text:
        return text[text.index(MEMORY_BEGIN):text.index(MEMORY_END) + len(MEMORY_END)].split("\n")
    return [MEMORY_BEGIN, "(not run yet)", MEMORY_END]


def write_memory_only(lines):
    """Rewrites only the memory block of bench/README.md (added before the push block when missing)."""
    readme = os.path.join(ROOT, "bench", "README.md")
    with open(readme) as f:
        text = f.read()
    block = "\n".join(lines)
    if MEMORY_BEGIN in text and MEMORY_END in text:
        text = text[:text.index(MEMORY_BEGIN)] + block + text[text.index(MEMORY_END) + len(MEMORY_END):]
    else:
        anchor = next((a for a in (PUSH_BEGIN, "<!-- bench:end -->") if a in text), None)
        if anchor is not None:
            at = text.index(anchor)
            text = text[:at] + block + "\n\n" + text[at:]
        else:
            text += "\n" + block + "\n"
    with open(readme, "w") as f:
        f.write(text)


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    quick = "--quick" in sys.argv
    if "--memory-only" in sys.argv:
        memory = queued_memory_section(build, quick)
        print("\n".join(memory))
        write_memory_only(memory)
        return
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

    drains = {}

    def closed_and_open(name, start, backlog=False):
        server = start()
        try:
            closed = load(build, server.port, 0, duration, connections, name + "c")
            opens = {}
            for r in rates:
                # tilangbot acks before it processes: let the backlog of the previous run drain first,
                # so each open-loop run measures acks beside its own processing, not an earlier burst's.
                if backlog:
                    drains.setdefault(name, []).append(wait_backlog_drained(server.port))
                opens[r] = load(build, server.port, r, duration, 32, f"{name}o{r}")
            if backlog:
                drains.setdefault(name, []).append(wait_backlog_drained(server.port))
            mem = peak_rss_mb(server.proc.pid)
        finally:
            server.stop()
        return closed, opens, mem

    disk_floor = disk_floor_line(build, workdir, quick)
    # tilangbot: idle memory first, then load.
    port = free_port()
    bot = start_tilangbot(build, workdir, port)
    time.sleep(1)
    idle_rss = rss_mb(bot.proc.pid)
    bot.stop()
    results = {}
    graph_proc, graph_url = start_fake_graph(build)
    try:
        results["tilangbot"] = closed_and_open("tb", lambda: start_tilangbot(build, workdir, free_port(), graph_url),
                                               backlog=True)
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
    lines.append("")
    lines.append(disk_floor)
    lines += notes
    lines.append("")
    lines.append("tilangbot runs whole: every message is parsed, answered by the engine and the replies sent to "
                 "bench/fake_graph_server (a separate process) while the load runs.")
    labels = ["closed loop"] + [f"{r}/s" for r in rates]
    parts = [f"after {label}: {d['backlog']:,} in {d['seconds']:.1f} s ({d['per_s']:,.0f} messages/s)"
             for label, d in zip(labels, drains.get("tb", []))]
    lines.append("")
    lines.append("tilangbot acknowledges before it processes; the backlog left after each run (messages not yet parsed "
                 "or answered by the engine; replies then leave at WA_MAX_MPS=1000) drained before the next run: "
                 + "; ".join(parts) + ".")
    lines.append("")
    lines.append(engine_line(build))
    lines += [""] + queued_memory_lines(build, quick)
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
