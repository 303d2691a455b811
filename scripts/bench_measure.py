#!/usr/bin/python3
"""bench_measure.py [--stdout FILE] -- COMMAND...: runs COMMAND and prints one line
`wall_s rc rss_tree_kib hwm_kib`:
  wall_s        wall time from just before the start to the exit;
  rc            its exit status;
  rss_tree_kib  the peak over samples (every 20 ms) of the sum of VmRSS (anonymous and mapped
                file pages) over the process and all its descendants;
  hwm_kib       the largest VmHWM (the kernel's own peak RSS) of any one of them, the exited
                children included (getrusage).
Descendants are found by a scan of /proc every 10th sample (the kernel here has no
/proc/PID/task/TID/children); their VmRSS is read at every sample. Benchmark only."""
import os
import resource
import subprocess
import sys
import threading
import time

PERIOD = 0.02
RESCAN = 10


def status_kib(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def descendants(root):
    """root and every process below it, from one scan of /proc/*/stat."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
                parent[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree = {root}
    grew = True
    while grew:
        grew = False
        for p, pp in parent.items():
            if pp in tree and p not in tree:
                tree.add(p)
                grew = True
    return tree


def main():
    args = sys.argv[1:]
    stdout = subprocess.DEVNULL
    if args[:1] == ["--stdout"]:
        stdout = open(args[1], "wb")
        args = args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=stdout)
    end = [None]

    def waiter():
        proc.wait()
        end[0] = time.monotonic()

    th = threading.Thread(target=waiter, daemon=True)
    th.start()
    peak_sum = 0
    peak_hwm = 0
    tree = {proc.pid}
    i = 0
    while end[0] is None:
        if i % RESCAN == 0:
            tree = descendants(proc.pid)
        total = 0
        for pid in tree:
            total += status_kib(pid, "VmRSS:")
            peak_hwm = max(peak_hwm, status_kib(pid, "VmHWM:"))
        peak_sum = max(peak_sum, total)
        i += 1
        th.join(PERIOD)
    th.join()
    peak_hwm = max(peak_hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print("%.3f %d %d %d" % (end[0] - start, proc.returncode, max(peak_sum, peak_hwm), peak_hwm))


if __name__ == "__main__":
    main()
