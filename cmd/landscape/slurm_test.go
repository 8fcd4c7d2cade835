package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slurmRequired: under `make test` (and in CI) the Slurm test fails
// instead of skipping when it cannot run.
func slurmRequired() bool {
	return os.Getenv("LANDSCAPE_REQUIRE_SLURM") != "" || os.Getenv("CI") != ""
}

// cluster is a single-node Slurm cluster on localhost, started by a test:
// munged, slurmctld and slurmd in the foreground as the test's children,
// with a configuration, key, state and logs in a folder of its own, and
// free ports; no systemd. Stop ends every daemon it started.
type cluster struct {
	t       *testing.T
	dir     string
	env     []string
	daemons []*exec.Cmd
}

// freePort is a TCP port on localhost no one listens on now.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startCluster(t *testing.T, env []string) *cluster {
	need := func(why string) {
		if slurmRequired() {
			t.Fatalf("the Slurm test cannot run: %s (.ci/deps.sh installs slurmctld, slurmd, slurm-client and munge; run as root)", why)
		}
		t.Skip(why)
	}
	for _, b := range []string{"munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"} {
		if _, err := exec.LookPath(b); err != nil {
			need(b + " is not installed")
		}
	}
	if os.Geteuid() != 0 {
		need("slurmd runs jobs as root here")
	}
	dir, err := os.MkdirTemp("/tmp", "lsslurm") // munge's socket path must be short
	if err != nil {
		t.Fatal(err)
	}
	// munged wants every folder above its socket searchable.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir}
	t.Cleanup(c.stop)
	for _, d := range []string{"state", "spool", "log", "jobs"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("mungekey", "--create", "--keyfile", filepath.Join(dir, "munge.key")).CombinedOutput(); err != nil {
		t.Fatalf("mungekey: %v\n%s", err, out)
	}
	conf := filepath.Join(dir, "slurm.conf")
	cfg := fmt.Sprintf(`ClusterName=landscape
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=%d
SlurmdPort=%d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=%[3]s/munge.sock
CredType=cred/munge
StateSaveLocation=%[3]s/state
SlurmdSpoolDir=%[3]s/spool
SlurmctldPidFile=%[3]s/slurmctld.pid
SlurmdPidFile=%[3]s/slurmd.pid
SlurmctldLogFile=%[3]s/log/slurmctld.log
SlurmdLogFile=%[3]s/log/slurmd.log
PlugStackConfig=%[3]s/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
NodeName=lsnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=main Nodes=lsnode Default=YES MaxTime=INFINITE State=UP
`, freePort(t), freePort(t), dir)
	for name, body := range map[string]string{"slurm.conf": cfg, "plugstack.conf": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.env = append(append([]string(nil), env...), "SLURM_CONF="+conf)
	c.daemon("munged", "--foreground", "--force", "--socket="+filepath.Join(dir, "munge.sock"),
		"--key-file="+filepath.Join(dir, "munge.key"), "--log-file="+filepath.Join(dir, "log", "munged.log"),
		"--pid-file="+filepath.Join(dir, "munged.pid"), "--seed-file="+filepath.Join(dir, "munged.seed"))
	c.waitFor("munged's socket", func() bool { _, err := os.Stat(filepath.Join(dir, "munge.sock")); return err == nil })
	c.daemon("slurmctld", "-D", "-i", "-f", conf)
	c.daemon("slurmd", "-D", "-N", "lsnode", "-f", conf)
	c.waitFor("the node to be idle", func() bool {
		out, err := c.command("sinfo", "-h", "-o", "%T").Output()
		return err == nil && strings.TrimSpace(string(out)) == "idle"
	})
	return c
}

// daemon starts a daemon in the foreground, its output in the log folder.
func (c *cluster) daemon(name string, args ...string) {
	log, err := os.Create(filepath.Join(c.dir, "log", name+".out"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("starting %s: %v", name, err)
	}
	c.daemons = append(c.daemons, cmd)
}

// command is a Slurm client command on the cluster.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = c.env
	return cmd
}

// waitFor polls until ok, for at most a minute.
func (c *cluster) waitFor(what string, ok func() bool) {
	c.t.Helper()
	for end := time.Now().Add(time.Minute); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(end) {
			c.t.Fatalf("waited a minute for %s\n%s", what, c.logs())
		}
	}
}

// logs are the daemons' logs and the jobs' outputs, for a failure.
func (c *cluster) logs() string {
	var b strings.Builder
	for _, g := range []string{"log/*", "jobs/*"} {
		files, _ := filepath.Glob(filepath.Join(c.dir, g))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			if len(data) > 4000 {
				data = data[len(data)-4000:]
			}
			fmt.Fprintf(&b, "--- %s\n%s\n", f, data)
		}
	}
	return b.String()
}

// sbatch submits a job and returns its id.
func (c *cluster) sbatch(args ...string) string {
	c.t.Helper()
	out, err := c.command("sbatch", append([]string{"--parsable"}, args...)...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("sbatch %v: %v\n%s", args, err, out)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	return id
}

// stop cancels what is queued, ends every daemon it started (SIGTERM, then
// SIGKILL), checks that no process of the cluster is left, and removes
// its folder.
func (c *cluster) stop() {
	if len(c.daemons) > 0 {
		c.command("scancel", "--user=root").Run()
	}
	for i := len(c.daemons) - 1; i >= 0; i-- {
		d := c.daemons[i]
		syscall.Kill(-d.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { d.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-d.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	// Nothing of the cluster's may outlive it: a process whose command
	// line names its folder (a job step, a daemon) is one of its.
	time.Sleep(200 * time.Millisecond)
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if bytes.Contains(b, []byte(c.dir)) {
			syscall.Kill(pid, syscall.SIGKILL)
			c.t.Errorf("process %d (%s) of the cluster outlived it", pid, bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		}
	}
	os.RemoveAll(c.dir)
}

// TestSlurmArrayShards runs a grid on a real (single-node) Slurm cluster:
// an array job of four shards (eval --shard auto, the shards sharing one
// journal) and a merge job that depends on it (afterok); the merged grid
// is the unsharded one, byte for byte, and the journal's status shows
// the four shards done.
func TestSlurmArrayShards(t *testing.T) {
	l := newLab(t, "models")
	c := startCluster(t, l.env)
	grid := []string{"eval", "mlp", "--set", "n=300,split=0.25", "--res", "40x36", "--tile-rows", "3", "--backend", "cpu"}
	l.run(t, append(grid, "-o", "whole.npz")...)
	whole := l.read(t, "whole.npz")

	shards := filepath.Join(l.out, "shards")
	if err := os.Mkdir(shards, 0o755); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(l.out, "grid.journal")
	script := filepath.Join(c.dir, "jobs", "eval.sh")
	body := fmt.Sprintf("#!/bin/sh\nexec %s %s --shard auto --journal %s -o %s/part-$SLURM_ARRAY_TASK_ID.shard\n",
		l.bin, strings.Join(quoteAll(grid), " "), journal, shards)
	merge := filepath.Join(c.dir, "jobs", "merge.sh")
	mbody := fmt.Sprintf("#!/bin/sh\nexec %s merge %s/part-*.shard -o %s/merged.npz\n", l.bin, shards, l.out)
	for f, b := range map[string]string{script: body, merge: mbody} {
		if err := os.WriteFile(f, []byte(b), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	array := c.sbatch("--array=0-3", "--chdir="+l.out, "--output="+filepath.Join(c.dir, "jobs", "eval-%A_%a.out"), script)
	c.sbatch("--dependency=afterok:"+array, "--kill-on-invalid-dep=yes", "--chdir="+l.out, "--output="+filepath.Join(c.dir, "jobs", "merge-%j.out"), merge)
	merged := filepath.Join(l.out, "merged.npz")
	for end := time.Now().Add(150 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, err := c.command("squeue", "-h").Output()
		if err == nil && strings.TrimSpace(string(out)) == "" {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the jobs did not finish within 150 s: %s\n%s", out, c.logs())
		}
	}
	t.Logf("the array and the merge took %v", time.Since(start).Round(time.Millisecond))
	got, err := os.ReadFile(merged)
	if err != nil {
		t.Fatalf("no merged grid: %v\n%s", err, c.logs())
	}
	if !bytes.Equal(got, whole) {
		t.Fatalf("the merged grid differs from the unsharded one")
	}
	for i := range 4 {
		if _, err := os.Stat(filepath.Join(shards, fmt.Sprintf("part-%d.shard", i))); err != nil {
			t.Errorf("shard %d: %v", i, err)
		}
	}
	st, err := l.command("status", journal).Output()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, want := range []string{"loss:    12 of 12 tiles (100.0%)", "test_loss: 12 of 12 tiles", "shard 0/4: 3 of 3 tiles [0, 3) done", "shard 3/4: 3 of 3 tiles [9, 12) done"} {
		if !strings.Contains(string(st), want) {
			t.Errorf("status lacks %q:\n%s", want, st)
		}
	}
}

// quoteAll quotes words for sh.
func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return out
}
