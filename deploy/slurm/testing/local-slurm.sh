#!/bin/bash
# A single-machine Slurm for the deployment tests (as root; Debian packages slurm-wlm, munge):
#   local-slurm.sh start DIR   writes DIR/slurm.conf, starts munged (if not running), slurmctld
#                              and slurmd, waits for the node to be idle; prints SLURM_CONF=...
#   local-slurm.sh stop DIR    stops the daemons it started (by their pid files)
# No systemd, no cgroups: proctrack/linuxproc, task/none (../../shared/MACHINE-FACTS.md).
set -euo pipefail
action="${1:?start|stop}"
dir="$(readlink -f "${2:?folder}")"
conf="$dir/slurm.conf"

fail() { echo "local-slurm: $*" >&2; exit 1; }

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return; fi
  id munge >/dev/null 2>&1 || fail "no munge user: install munge (apt-get install -y munge)"
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.1; done
  fail "munged started but munge -n | unmunge does not succeed"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case "$action" in
  start)
    [[ "$(id -u)" == 0 ]] || fail "must run as root (slurmd needs it; CI runs as root)"
    command -v slurmctld >/dev/null || fail "slurmctld not found: apt-get install -y slurm-wlm munge"
    start_munge
    host="$(hostname -s)"
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    cat > "$conf" <<CONF
ClusterName=datalab-test
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
KillWait=30
SchedulerType=sched/backfill
NodeName=$host CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$conf"
    slurmctld -f "$conf" || fail "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)"
    slurmd -f "$conf" || fail "slurmd did not start: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"
    for _ in $(seq 100); do
      if sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle'; then echo "SLURM_CONF=$conf"; exit 0; fi
      sleep 0.2
    done
    fail "the node did not become idle in 20 s: $(sinfo 2>&1 | tail -3); $(tail -3 "$dir/log/slurmd.log" 2>/dev/null)"
    ;;
  stop)
    for daemon in slurmd slurmctld; do
      pidfile="$dir/$daemon.pid"
      [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    # slurmctld saves its state on SIGTERM: wait (up to 20 s) until both have exited, so the
    # caller can remove the folder without racing the last writes.
    for daemon in slurmd slurmctld; do
      pidfile="$dir/$daemon.pid"
      [[ -f "$pidfile" ]] || continue
      pid="$(cat "$pidfile" 2>/dev/null)" || continue
      for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    ;;
  *) fail "unknown action $action (start|stop)" ;;
esac
