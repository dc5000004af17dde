"""A real systemd, booted in a container with systemd-nspawn, driven with nsenter.

The container shares the host's /usr read-only (--volatile=yes: everything else is a fresh
tmpfs), has its own network namespace (clob-sim's port cannot clash with the host's), and sees
the staged polypipe install through bind mounts. Its PID 1 is the host's own systemd.
"""
import json
import os
import shutil
import subprocess
import time


class Unavailable(Exception):
    """This machine cannot boot a container (the test is then skipped, saying why)."""


class Container:
    def __init__(self, name, binds_ro=(), binds_rw=(), log_path=None):
        self.name = name
        self.binds_ro = list(binds_ro)
        self.binds_rw = list(binds_rw)
        self.log_path = log_path or f"/tmp/{name}.nspawn.log"
        self.process = None
        self.pid1 = None

    @staticmethod
    def check_available():
        if os.geteuid() != 0:
            raise Unavailable("systemd-nspawn needs root")
        for tool in ("systemd-nspawn", "nsenter", "systemd-analyze"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not installed (Debian: systemd-container, util-linux, systemd)")

    def boot(self, timeout=60):
        command = ["systemd-nspawn", "-q", "-D", "/", "--volatile=yes", "--register=no", "--keep-unit",
                   "--private-network", "-M", self.name, "--console=pipe"]
        command += [f"--bind-ro={spec}" for spec in self.binds_ro]
        command += [f"--bind={spec}" for spec in self.binds_rw]
        command += ["-b"]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Unavailable(f"systemd-nspawn exited with {self.process.returncode}; see {self.log_path}")
            children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
            if children:
                self.pid1 = int(children[0])
                state = self.run("systemctl", "is-system-running", check=False).stdout.strip()
                if state in ("running", "degraded"):
                    return
            time.sleep(0.1)
        raise Unavailable(f"the container's systemd did not finish booting in {timeout} s; see {self.log_path}")

    def run(self, *args, check=True, input=None, timeout=120):
        """Runs a command inside the container (all of its namespaces), as root."""
        return self.run_in(self.pid1, *args, check=check, input=input, timeout=timeout)

    @staticmethod
    def run_in(pid, *args, check=True, input=None, timeout=120, uid=None, gid=None):
        """Runs a command in the namespaces of `pid` (a host PID), optionally as uid/gid."""
        command = ["nsenter", "-t", str(pid), "-a"]
        if uid is not None:
            command += ["-S", str(uid), "-G", str(gid)]
        result = subprocess.run(command + list(args), capture_output=True, text=True, input=input, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
        return result

    def systemctl(self, *args, check=True):
        return self.run("systemctl", "--no-pager", *args, check=check)

    def show(self, unit, *properties):
        out = self.systemctl("show", unit, *[f"--property={p}" for p in properties]).stdout
        values = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
        return values

    def main_pid(self, unit):
        return int(self.show(unit, "MainPID")["MainPID"])

    def host_pid(self, container_pid):
        """The host PID of a process the container knows as `container_pid`."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status") as status:
                    for line in status:
                        if line.startswith("NSpid:"):
                            pids = line.split()[1:]
                            if len(pids) >= 2 and int(pids[-1]) == container_pid and self._in_container(int(entry)):
                                return int(entry)
            except OSError:
                continue
        raise AssertionError(f"no host process for container pid {container_pid}")

    def _in_container(self, host_pid):
        try:
            return os.readlink(f"/proc/{host_pid}/ns/pid") == os.readlink(f"/proc/{self.pid1}/ns/pid")
        except OSError:
            return False

    def journal(self, *args):
        return self.run("journalctl", "--no-pager", "-o", "cat", *args, check=False).stdout

    def json(self, *args):
        return json.loads(self.run(*args).stdout)

    def poweroff(self, timeout=30):
        if self.process is None:
            return
        if self.process.poll() is None and self.pid1 is not None:
            self.run("systemctl", "poweroff", check=False, timeout=10)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
