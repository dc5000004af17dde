"""polypipe's systemd units, checked offline and then run under a real systemd.

Run by scripts/test-systemd (part of scripts/test). Environment:
  POLYPIPE_STAGE    a tree made by `scripts/install --root` (units, sysusers, /opt/polypipe/bin)
  POLYPIPE_REPORT   where to write the measured figures (security scores, restart times)

Under systemd-nspawn (skipped, saying why, where the machine cannot boot one), with clob-sim
as the venue and a replayed schedule of actions as the strategy (signal-proc --replay-clock
wall, so a restarted signal-proc resumes the schedule and re-sends the actions still valid,
which exec-proc must execute at most once):
  - the target starts and all four units reach active (Type=notify: they said READY=1);
  - the key is readable by exec-proc only;
  - `systemctl restart` of each unit alone, and `kill -9` of each process, leave the others
    running and orders reach the venue again within seconds;
  - the watchdog restarts a process that stopped answering (SIGSTOP);
  - `systemctl stop polypipe.target` cancels the open orders and stops every unit cleanly;
  - no order is lost or doubled: every order the journal says was sent is at the venue once,
    and none is left unresolved.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from container import Container, Unavailable  # noqa: E402

STAGE = os.environ.get("POLYPIPE_STAGE", "")
REPORT = os.environ.get("POLYPIPE_REPORT", "")
# A throwaway test key (never funded anywhere); the test looks for its hex everywhere it must not be.
KEY_HEX = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
PROCESSES = {"exec": "exec-proc", "signal": "signal-proc", "fill": "fill-proc", "recon": "recon-proc"}
UNITS = [f"polypipe-{name}.service" for name in PROCESSES]
# The read-only dashboard: scored, verified and started with the others, but no trading process
# (Type=exec, no watchdog, not restarted in the restart tests).
DASHBOARD = "polypipe-dashboard.service"
# systemd-analyze's 0-100 scale: 15 = exposure 1.5. recon-proc reads the venue's open orders
# itself, so it needs the network and gets the same bound as the others.
THRESHOLD = 15
VENUE = "http://127.0.0.1:8080"

# The alert webhook: a recording HTTP server inside the container.
ALERT_SINK = "http://127.0.0.1:8099"
ALERT_SINK_SCRIPT = """
import http.server
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open('/var/tmp/alerts.jsonl', 'ab') as out:
            out.write(body + b'\\n')
        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', 8099), Sink).serve_forever()
"""

figures = {"security_offline": {}, "security_live": {}, "restart": {}, "kill9": {}, "watchdog": {}}


def unit_path(unit):
    return os.path.join(STAGE, "etc/systemd/system", unit)


def exposure(text):
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", text)
    return float(match.group(1)) if match else None


class OfflineUnitFiles(unittest.TestCase):
    """What can be checked on the unit files alone."""

    def test_every_unit_scores_within_its_exposure_bound(self):
        for unit in UNITS + ["polypipe-sim.service", DASHBOARD, "polypipe-alert@.service"]:
            result = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"--threshold={THRESHOLD}", unit_path(unit)],
                                    capture_output=True, text=True)
            score = exposure(result.stdout)
            figures["security_offline"][unit] = score
            self.assertIsNotNone(score, f"{unit}: no score in {result.stdout[-300:]}{result.stderr}")
            self.assertEqual(result.returncode, 0, f"{unit} scores {score}, above {THRESHOLD / 10}")

    def test_only_the_exec_unit_loads_the_key_and_no_unit_passes_it_on_the_command_line(self):
        for unit in UNITS:
            with open(unit_path(unit)) as file:
                text = file.read()
            loads_key = "polymarket-key" in text
            self.assertEqual(loads_key, unit == "polypipe-exec.service", f"{unit}: key credential present = {loads_key}")
            self.assertNotIn("POLYMARKET_KEY", text, f"{unit} names the key variable")
            self.assertIn("Type=notify", text)
            self.assertIn("WatchdogSec=", text)
            self.assertIn("TimeoutAbortSec=", text, f"{unit}: a hung process that ignores SIGABRT would wait the whole stop timeout")

    def test_no_unit_requires_another_so_each_restarts_alone(self):
        for unit in UNITS:
            with open(unit_path(unit)) as file:
                text = file.read()
            for directive in ("Requires=", "BindsTo=", "Requisite="):
                self.assertNotIn(directive, text, f"{unit} uses {directive}: a restart would take others with it")


class InstallScript(unittest.TestCase):
    """scripts/install into a staged root: what it lays down, what a reinstall keeps, what
    --uninstall removes and what only --purge removes."""

    def test_install_reinstall_uninstall_and_purge(self):
        bin_dir = os.environ.get("POLYPIPE_BIN_DIR")
        if not bin_dir:
            self.skipTest("POLYPIPE_BIN_DIR is not set (run scripts/test-systemd)")
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        root = tempfile.mkdtemp(prefix="polypipe-install-")
        try:
            def install(*args):
                result = subprocess.run([os.path.join(repo, "scripts/install"), "--root", root, *args], capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                return result.stdout
            steps = install("--bin-dir", bin_dir)
            self.assertIn("systemd-creds encrypt --name=polymarket-key", steps)
            self.assertIn("POLYPIPE_ACKNOWLEDGE", steps)
            for unit in UNITS + ["polypipe.target", "polypipe-sim.service", DASHBOARD]:
                self.assertTrue(os.path.isfile(f"{root}/etc/systemd/system/{unit}"), unit)
            for binary in PROCESSES.values():
                self.assertTrue(os.access(f"{root}/opt/polypipe/bin/{binary}", os.X_OK), binary)
            self.assertTrue(os.path.isfile(f"{root}/etc/sysusers.d/polypipe.conf"))
            self.assertEqual(os.stat(f"{root}/etc/credstore.encrypted").st_mode & 0o777, 0o700)
            settings = f"{root}/etc/polypipe/polypipe.env"
            with open(settings, "a") as out:
                out.write("# edited by the operator\n")
            install("--bin-dir", bin_dir)
            with open(settings) as file:
                self.assertIn("# edited by the operator", file.read(), "a reinstall overwrote the settings")
            os.makedirs(f"{root}/var/lib/polypipe/exec")
            for kept in (f"{root}/etc/credstore.encrypted/polymarket-key", f"{root}/var/lib/polypipe/exec/journal.sqlite"):
                with open(kept, "w") as out:
                    out.write("x")
            install("--uninstall")
            self.assertFalse(os.path.exists(f"{root}/etc/systemd/system/polypipe-exec.service"))
            self.assertFalse(os.path.exists(f"{root}/opt/polypipe"))
            for kept in (settings, f"{root}/etc/credstore.encrypted/polymarket-key", f"{root}/var/lib/polypipe/exec/journal.sqlite"):
                self.assertTrue(os.path.exists(kept), f"--uninstall removed {kept}")
            install("--uninstall", "--purge")
            for gone in (settings, f"{root}/etc/credstore.encrypted/polymarket-key", f"{root}/var/lib/polypipe"):
                self.assertFalse(os.path.exists(gone), f"--purge left {gone}")
        finally:
            shutil.rmtree(root, ignore_errors=True)


class UnderSystemd(unittest.TestCase):
    container = None

    @classmethod
    def setUpClass(cls):
        if not STAGE:
            raise unittest.SkipTest("POLYPIPE_STAGE is not set (run scripts/test-systemd)")
        try:
            Container.check_available()
        except Unavailable as reason:
            raise unittest.SkipTest(f"no real systemd here: {reason}")
        cls.config = tempfile.mkdtemp(prefix="polypipe-etc-")
        os.chmod(cls.config, 0o755)
        binds = [f"{STAGE}/opt/polypipe:/opt/polypipe", f"{STAGE}/etc/systemd/system:/etc/systemd/system",
                 f"{STAGE}/etc/sysusers.d:/etc/sysusers.d"]
        toolchain = os.environ.get("POLYPIPE_SWIFT_RUNTIME_ROOT")
        if toolchain:  # debug binaries link the Swift runtime from the toolchain (outside /usr)
            binds.append(toolchain)
        cls.container = Container(f"polypipe-test-{os.getpid()}", binds_ro=binds, binds_rw=[f"{cls.config}:/etc/polypipe"])
        try:
            cls.container.boot()
        except Unavailable as reason:
            cls.container.poweroff()
            raise unittest.SkipTest(f"no real systemd here: {reason}")
        try:
            cls.start_stack()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.container is not None:
            cls.container.poweroff()
        if getattr(cls, "config", None):
            shutil.rmtree(cls.config, ignore_errors=True)
        if REPORT:
            with open(REPORT, "w") as out:
                json.dump(figures, out, indent=2)

    # The stack --------------------------------------------------------------------------------

    @classmethod
    def start_stack(cls):
        c = cls.container
        doctor = c.run("/opt/polypipe/bin/polypipe", "doctor", check=False)
        cls.doctor_before_key = (doctor.returncode, doctor.stdout)
        c.run("install", "-d", "-m", "0700", "/etc/credstore.encrypted")
        # As the install's next steps say, with a umask that keeps the file root's alone.
        c.run("sh", "-c", "umask 077; systemd-creds encrypt --with-key=host --name=polymarket-key - /etc/credstore.encrypted/polymarket-key",
              input="0x" + KEY_HEX)
        settings = {
            "POLYPIPE_MODE": "paper", "POLYPIPE_VENUE": VENUE, "POLYPIPE_CHAIN_ID": "137",
            "POLYPIPE_EXEC_OPTIONS": "--limits=/etc/polypipe/limits.json",
            "POLYPIPE_SIGNAL_OPTIONS": "--strategy=replay --replay-file=/etc/polypipe/schedule.jsonl --replay-clock=wall",
            "POLYPIPE_FILL_OPTIONS": "--user-channel=ws://127.0.0.1:8080/ws/user",
            "POLYPIPE_RECON_OPTIONS": "", "POLYPIPE_SIM_OPTIONS": "--port=8080",
            "POLYPIPE_ALERT_WEBHOOK": ALERT_SINK + "/alerts",
        }
        cls.write_config("polypipe.env", "".join(f"{k}={v}\n" for k, v in settings.items()))
        cls.write_config("limits.json", json.dumps({
            "max_order_notional": "10", "max_market_exposure": "100000", "max_total_exposure": "100000",
            "max_orders_per_minute": 1000, "price_band": "0.99", "daily_loss_limit": "100000"}))
        c.systemctl("start", "polypipe-sim.service")
        # A local webhook that records every POST body (one JSON line each) for the alert checks.
        c.run("systemd-run", "--unit=polypipe-test-alert-sink", "python3", "-c", ALERT_SINK_SCRIPT)
        markets = json.loads(c.run("curl", "-sf", "-m", "5", "--retry", "20", "--retry-connrefused", "--retry-delay", "1",
                                   f"{VENUE}/markets").stdout)
        # The 15-minute Up/Down window furthest ahead: the sim's agents quote it (the static
        # markets have empty books, so no price band could be checked), and it outlives the test.
        windows = [m for m in markets["data"] if m["market_slug"].startswith("btc-updown-15m-")]
        market = max(windows, key=lambda m: int(m["market_slug"].rsplit("-", 1)[1]))
        cls.write_config("schedule.jsonl", cls.schedule(market["condition_id"], market["tokens"][0]["token_id"]))
        started = time.monotonic()
        c.systemctl("start", "polypipe.target")
        figures["target_start_seconds"] = round(time.monotonic() - started, 2)

    @classmethod
    def write_config(cls, name, text):
        path = os.path.join(cls.config, name)
        with open(path, "w") as out:
            out.write(text)
        os.chmod(path, 0o644)

    @staticmethod
    def schedule(market, token, spacing_ms=200, minutes=15):
        """Actions every `spacing_ms` from 2 s from now: a bid that rests (0.10) and one that
        crosses (0.90), alternately, 5 shares each, valid 3 s."""
        first = int(time.time() * 1000) + 2_000
        lines = []
        for index in range(minutes * 60_000 // spacing_ms):
            price = "0.10" if index % 2 == 0 else "0.90"
            lines.append(json.dumps({"id": f"sched-{index}", "market": market, "token_id": token, "side": "BUY", "size": "5",
                                     "limit_price": price, "created_at_ms": first + index * spacing_ms, "ttl_ms": 3_000}))
        return "\n".join(lines) + "\n"

    def venue_state(self):
        return self.container.json("curl", "-sf", "-m", "2", f"{VENUE}/admin/state")

    def venue_orders(self):
        return int(self.venue_state()["client_orders"])

    def wait_for_orders_after(self, count, timeout=30):
        """Seconds (monotonic clock) at which the venue holds more than `count` client orders."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.venue_orders() > count:
                return time.monotonic()
            time.sleep(0.05)
        self.fail(f"no new order reached the venue within {timeout} s (still {count}); units: {self.states()}")

    def states(self):
        return {unit: self.container.show(unit, "ActiveState", "SubState", "MainPID", "NRestarts") for unit in UNITS}

    def wait_active(self, unit, other_than_pid=None, timeout=40):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.container.show(unit, "ActiveState", "SubState", "MainPID")
            if state["ActiveState"] == "active" and state["SubState"] == "running" and int(state["MainPID"]) not in (0, other_than_pid):
                return int(state["MainPID"])
            time.sleep(0.05)
        self.fail(f"{unit} did not come back: {self.container.show(unit, 'ActiveState', 'SubState', 'Result')}\n"
                  + self.container.journal("-u", unit, "-n", "30"))

    def others_untouched(self, unit, before):
        for other in UNITS:
            if other == unit:
                continue
            now = self.container.show(other, "ActiveState", "MainPID", "NRestarts")
            self.assertEqual(now["ActiveState"], "active", f"{other} after {unit}: {now}")
            self.assertEqual(now["MainPID"], before[other]["MainPID"], f"{other} was restarted along with {unit}")
            self.assertEqual(now["NRestarts"], before[other]["NRestarts"], f"{other} restarted along with {unit}")

    # The tests, in order ------------------------------------------------------------------------

    def test_1_units_verify_and_all_reach_active_with_their_live_scores(self):
        c = self.container
        for unit in UNITS + ["polypipe-sim.service", "polypipe.target", DASHBOARD]:
            verify = c.run("systemd-analyze", "verify", "--man=no", f"/etc/systemd/system/{unit}", check=False)
            ours = [line for line in verify.stderr.splitlines() if "polypipe" in line]
            self.assertEqual(verify.returncode, 0, f"{unit}: {verify.stderr}")
            self.assertEqual(ours, [], f"{unit}: systemd-analyze verify: {ours}")
        for unit in UNITS + [DASHBOARD]:
            self.wait_active(unit)
            score = exposure(c.run("systemd-analyze", "security", "--no-pager", unit).stdout)
            figures["security_live"][unit] = score
            self.assertIsNotNone(score)
            self.assertLessEqual(score, THRESHOLD / 10, f"{unit} scores {score} live")
        self.assertEqual(c.show("polypipe.target", "ActiveState")["ActiveState"], "active")
        self.wait_for_orders_after(0)

    def test_1a_logs_are_journal_entries_with_their_metadata_as_fields(self):
        c = self.container
        entries = [json.loads(line) for line in
                   c.run("journalctl", "--no-pager", "-u", "polypipe-exec.service", "-o", "json", "-n", "300").stdout.splitlines()]
        accepted = [e for e in entries if e.get("OUTCOME") == "accepted" and "ACTION" in e]
        self.assertTrue(accepted, "no exec-proc entry with ACTION and OUTCOME fields")
        entry = accepted[-1]
        self.assertEqual(entry.get("SYSLOG_IDENTIFIER"), "exec-proc")
        self.assertEqual(entry.get("PRIORITY"), "6")
        self.assertTrue(entry["MESSAGE"].startswith("action accepted"), entry["MESSAGE"])
        found = c.run("journalctl", "--no-pager", "-u", "polypipe-exec.service", "-o", "cat", f"ACTION={entry['ACTION']}").stdout
        self.assertIn(entry["ACTION"], found, "filtering the journal by the action's field")

    def test_1b_doctor_explains_a_missing_key_and_passes_the_running_stack(self):
        status, output = self.doctor_before_key
        self.assertEqual(status, 1, output)
        self.assertRegex(output, r"FAIL\s+key\s+/etc/credstore.encrypted/polymarket-key does not exist")
        self.assertIn("systemd-creds encrypt --name=polymarket-key", output)
        doctor = self.container.run("/opt/polypipe/bin/polypipe", "doctor", check=False)
        self.assertEqual(doctor.returncode, 0, doctor.stdout + doctor.stderr)
        self.assertNotIn("FAIL", doctor.stdout)
        for expected in ("ok    key", "trading state", "running in paper mode", "balance", "exchange version 2"):
            self.assertIn(expected, doctor.stdout)
        self.assertNotIn(KEY_HEX, doctor.stdout.lower())
        figures["doctor"] = doctor.stdout.splitlines()

    def test_1c_the_dashboard_shows_the_stack_and_merges_its_metrics(self):
        """Loopback only; its page's data says exec-proc runs in paper mode; /metrics holds
        every process's families; it cannot halt (not in polypipe-control, no token)."""
        c = self.container
        deadline = time.monotonic() + 30
        state = {}
        while time.monotonic() < deadline:
            answer = c.run("curl", "-sf", "-m", "2", "http://127.0.0.1:5050/api/state", check=False)
            if answer.returncode == 0:
                state = json.loads(answer.stdout)
                if state["exec"]["state"] == "running" and state["orders"]:
                    break
            time.sleep(0.5)
        self.assertEqual(state.get("exec", {}).get("mode"), "paper", f"dashboard state: {str(state)[:500]}")
        self.assertTrue(state["orders"], "the dashboard shows the scheduled orders")
        metrics = c.run("curl", "-sf", "-m", "5", "http://127.0.0.1:5050/metrics").stdout
        for family in ("polypipe_orders_total", "polypipe_fills_total", "polypipe_recon_cycles_total", "polypipe_strategy_commands_total"):
            self.assertIn(family, metrics)
        halt = c.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:5050/api/halt").stdout
        self.assertEqual(halt, "403")
        listening = c.run("ss", "-ltnp", check=False).stdout
        dashboard_lines = [line for line in listening.splitlines() if ":5050" in line]
        self.assertTrue(dashboard_lines and all("127.0.0.1:5050" in line for line in dashboard_lines), listening)
        figures["dashboard_orders_shown"] = len(state["orders"])

    def test_2_the_key_is_readable_by_exec_proc_only(self):
        c = self.container
        variants = [KEY_HEX, KEY_HEX.upper()]
        exec_pid = c.main_pid("polypipe-exec.service")
        environ = c.run("cat", f"/proc/{exec_pid}/environ").stdout
        cmdline = c.run("cat", f"/proc/{exec_pid}/cmdline").stdout
        for text, what in ((environ, "environment"), (cmdline, "command line")):
            self.assertNotIn("POLYMARKET_KEY", text, f"exec-proc's {what}")
            for variant in variants:
                self.assertNotIn(variant, text, f"the key is in exec-proc's {what}")
        self.assertIn("polymarket-key", c.run("ls", "/run/credentials/polypipe-exec.service").stdout)
        # Every file the host's root can see in the container, but exec-proc's credential ramfs.
        found = c.run("grep", "-rIl", "-i", KEY_HEX, "/run", "/var", "/etc", "/tmp", "/opt/polypipe",
                      "--exclude-dir=polypipe-exec.service", check=False)
        self.assertEqual(found.stdout.strip(), "", "the key in clear in a file")
        self.assertNotIn(KEY_HEX, c.journal("-b", "-o", "export").lower(), "the key in a journal field")
        for name in ("signal", "fill", "recon", "dashboard"):
            unit = f"polypipe-{name}.service"
            pid = c.main_pid(unit)
            host = c.host_pid(pid)
            uid = int(c.run("id", "-u", f"polypipe-{name}").stdout)
            gid = int(c.run("getent", "group", "polypipe").stdout.split(":")[2])
            inside = lambda *args: Container.run_in(host, *args, uid=uid, gid=gid, check=False)  # noqa: E731
            self.assertEqual(inside("id", "-u").stdout.strip(), str(uid))
            own = inside("cat", f"/proc/{pid}/environ").stdout
            self.assertNotIn(KEY_HEX, own.lower(), f"{unit}'s environment")
            self.assertNotIn("POLYMARKET_KEY", own, f"{unit}'s environment")
            listed = inside("ls", "/proc").stdout.split()
            self.assertIn(str(pid), listed)
            self.assertNotIn(str(exec_pid), listed, f"{unit} sees exec-proc in /proc")
            self.assertNotEqual(inside("cat", f"/proc/{exec_pid}/environ").returncode, 0, f"{unit} reads exec-proc's environment")
            self.assertNotEqual(inside("cat", "/run/credentials/polypipe-exec.service/polymarket-key").returncode, 0,
                                f"{unit} reads the key credential")
            self.assertNotEqual(inside("ls", "/var/lib/polypipe/exec").returncode, 0, f"{unit} lists exec-proc's state")
            leaked = inside("grep", "-rIl", "-i", KEY_HEX, "/run", "/var", "/etc", "/tmp", "/proc/self/")
            self.assertEqual(leaked.stdout.strip(), "", f"{unit} finds the key in a file")

    def test_2b_only_recon_proc_may_use_exec_procs_control_socket(self):
        """Every process may connect to exec-proc's event and action sockets; only recon-proc
        (group polypipe-control) to its control socket: a strategy cannot resume or cancel."""
        c = self.container
        probe = ("import socket, sys\n"
                 "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                 "try:\n    s.connect(sys.argv[1]); print('connected')\n"
                 "except OSError as error:\n    print(type(error).__name__)\n")
        gid = int(c.run("getent", "group", "polypipe").stdout.split(":")[2])
        expected_control = {"signal": "PermissionError", "fill": "PermissionError", "recon": "connected"}
        for name, control in expected_control.items():
            unit = f"polypipe-{name}.service"
            host = c.host_pid(c.main_pid(unit))
            uid = int(c.run("id", "-u", f"polypipe-{name}").stdout)
            # The unit's own supplementary groups (host ids, from its /proc status): entered
            # without its user namespace, where unmapped groups could not be set.
            with open(f"/proc/{host}/status") as status:
                groups = next(line for line in status if line.startswith("Groups:")).split()[1:]
            command = ["nsenter", "-t", str(host), "-m", "-u", "-i", "-n", "-p",
                       "setpriv", "--reuid", str(uid), "--regid", str(gid),
                       f"--groups={','.join(groups)}" if groups else "--clear-groups"]
            def connect(path):
                return subprocess.run(command + ["python3", "-c", probe, path], capture_output=True, text=True).stdout.strip()
            self.assertEqual(connect("/run/polypipe/control/control.sock"), control, f"{unit} and the control socket")
            self.assertEqual(connect("/run/polypipe/exec/events.sock"), "connected", f"{unit} and exec-proc's events")
        mode = c.run("stat", "-c", "%a %G", "/run/polypipe/control", "/run/polypipe/control/control.sock").stdout.split("\n")
        self.assertEqual(mode[0], "2750 polypipe-control")
        self.assertEqual(mode[1], "660 polypipe-control")

    def test_3_each_unit_restarts_alone_and_trading_resumes(self):
        c = self.container
        for unit in UNITS:
            before = self.states()
            old_pid = int(before[unit]["MainPID"])
            started = time.monotonic()
            c.systemctl("restart", unit)  # returns once the new process said READY=1
            ready = time.monotonic()
            new_pid = self.wait_active(unit, other_than_pid=old_pid)
            count = self.venue_orders()
            trading = self.wait_for_orders_after(count)
            figures["restart"][unit] = {"ready_s": round(ready - started, 2), "trading_s": round(trading - started, 2)}
            self.assertNotEqual(new_pid, old_pid)
            self.others_untouched(unit, before)

    def test_4_each_process_killed_with_sigkill_comes_back_alone(self):
        c = self.container
        for unit in UNITS:
            before = self.states()
            old_pid = int(before[unit]["MainPID"])
            started = time.monotonic()
            c.run("kill", "-9", str(old_pid))
            self.wait_active(unit, other_than_pid=old_pid)
            ready = time.monotonic()
            count = self.venue_orders()
            trading = self.wait_for_orders_after(count)
            figures["kill9"][unit] = {"ready_s": round(ready - started, 2), "trading_s": round(trading - started, 2)}
            self.others_untouched(unit, before)

    def test_4b_each_failure_alerted_the_operator_once(self):
        """ExecStopPost= starts polypipe-alert@%n.service after an unclean stop: the kill -9 of
        each process (test 4) reached the webhook as one process_failed alert per unit, though
        each was restarted (repeats are suppressed for 10 minutes)."""
        c = self.container
        deadline = time.monotonic() + 20
        alerts = []
        while time.monotonic() < deadline:
            text = c.run("cat", "/var/tmp/alerts.jsonl", check=False).stdout
            alerts = [json.loads(line) for line in text.splitlines() if line.strip()]
            if {a["alert"]["subject"] for a in alerts} >= set(UNITS):
                break
            time.sleep(0.5)
        subjects = [a["alert"]["subject"] for a in alerts if a["alert"]["kind"] == "process_failed"]
        figures["alerts_after_kill9"] = subjects
        for unit in UNITS:
            self.assertEqual(subjects.count(unit), 1, f"{unit}: alerts {subjects}\n" + c.journal("-u", f"polypipe-alert@{unit}.service", "-n", "20"))
        self.assertTrue(all(a["text"].startswith("[CRITICAL] ") for a in alerts), alerts)

    def test_5_the_watchdog_restarts_a_hung_process(self):
        c = self.container
        for unit in UNITS:
            # Shorter periods than the shipped WatchdogSec=10 so the test stays quick.
            dropin = f"/run/systemd/system/{unit}.d"
            c.run("mkdir", "-p", dropin)
            c.run("sh", "-c", f"printf '[Service]\\nWatchdogSec=2\\nTimeoutAbortSec=2\\n' > {dropin}/50-watchdog-test.conf")
            c.systemctl("daemon-reload")
            c.systemctl("restart", unit)
            pid = self.wait_active(unit)
            before = self.states()
            time.sleep(3)  # fed for longer than one period: a fed process is left alone
            self.assertEqual(c.main_pid(unit), pid, f"{unit} was restarted while it fed the watchdog")
            started = time.monotonic()
            os.kill(c.host_pid(pid), 19)  # SIGSTOP: alive, but its loop no longer runs
            self.wait_active(unit, other_than_pid=pid)
            figures["watchdog"][unit] = round(time.monotonic() - started, 2)
            self.assertIn("Watchdog timeout", c.journal("-u", unit, "-n", "200"), f"{unit} came back for another reason")
            self.others_untouched(unit, before)
            c.run("rm", "-rf", dropin)
            c.systemctl("daemon-reload")
        self.wait_for_orders_after(self.venue_orders())

    def test_6_recon_finds_the_books_in_agreement_after_all_that(self):
        c = self.container
        deadline = time.monotonic() + 90
        report = {}
        while time.monotonic() < deadline:
            result = c.run("/opt/polypipe/bin/polypipe", "stats", "--json", "--runtime-dir", "/run/polypipe", check=False)
            if result.returncode in (0, 1) and result.stdout.strip():
                report = json.loads(result.stdout)
                recon = report.get("reconciliation") or {}
                if recon.get("in_sync") and not recon.get("active"):
                    figures["stats_after_restarts"] = {"orders": report.get("execution", {}).get("orders"),
                                                       "fills": report.get("execution", {}).get("fills")}
                    return
            time.sleep(2)
        self.fail(f"recon-proc did not report in sync with no alarm: {json.dumps(report)[:2000]}")

    def test_7_stopping_the_target_cancels_open_orders_and_loses_or_doubles_nothing(self):
        c = self.container
        self.assertGreater(int(self.venue_state()["client_open_orders"]), 0, "the schedule leaves bids resting")
        started = time.monotonic()
        # Returns once the target's own job is done; the units' stop jobs follow in reverse
        # start order (signal, fill and recon first, then exec-proc, which cancels).
        c.systemctl("stop", "polypipe.target")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(c.show(u, "ActiveState")["ActiveState"] != "inactive" for u in UNITS):
            time.sleep(0.1)
        figures["target_stop_seconds"] = round(time.monotonic() - started, 2)
        for unit in UNITS:
            state = c.show(unit, "ActiveState", "Result", "ExecMainStatus")
            self.assertEqual(state["ActiveState"], "inactive", f"{unit}: {state}\n" + c.journal("-u", unit, "-n", "20"))
            self.assertEqual(state["Result"], "success", f"{unit} did not stop cleanly: {state}")
        self.assertIn("exec-proc stopping (SIGTERM)", c.journal("-u", "polypipe-exec.service", "-n", "20"))
        venue = self.venue_state()
        self.assertEqual(int(venue["client_open_orders"]), 0, "exec-proc left orders resting at the venue")
        query = ("import json, sqlite3; db = sqlite3.connect('/var/lib/polypipe/exec/journal.sqlite'); "
                 "print(json.dumps([dict(db.execute('SELECT state, COUNT(*) FROM orders GROUP BY state').fetchall()), "
                 "db.execute(\"SELECT COUNT(*) FROM audit WHERE decision = 'duplicate'\").fetchone()[0]]))")
        by_state, duplicates = json.loads(c.run("python3", "-c", query).stdout)
        figures["journal_by_state"] = by_state
        figures["venue_client_orders"] = int(venue["client_orders"])
        unresolved = {state: n for state, n in by_state.items() if state in ("signed", "unknown", "absent")}
        self.assertEqual(unresolved, {}, "orders left unresolved in the journal")
        sent = sum(n for state, n in by_state.items() if state in ("accepted", "canceled", "filled"))
        self.assertEqual(sent, int(venue["client_orders"]), f"journal {by_state} vs venue {venue}")
        self.assertGreater(sent, 50)
        # signal-proc re-sent the still-valid actions after each of its restarts: refused, not re-sent.
        figures["duplicate_actions_refused"] = duplicates
        self.assertGreater(duplicates, 0, "no re-sent action reached exec-proc; the at-most-once check did not run")


if __name__ == "__main__":
    unittest.main(verbosity=2)
