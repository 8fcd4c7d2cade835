package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes at a new folder of the lab's
// work folder (root only; under `make test` and in CI the test fails
// rather than skips without it) and unmounts it when the test ends.
func smallDisk(t *testing.T, l *lab, size int) string {
	t.Helper()
	dir := filepath.Join(l.work, "disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0755", size), "tmpfs", dir).CombinedOutput(); err != nil {
		why := fmt.Sprintf("cannot mount a small tmpfs (root is needed): %v: %s", err, bytes.TrimSpace(out))
		if slurmRequired() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// remount changes the small disk's options.
func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", dir, opts, err, out)
	}
}

// TestJournalDiskFull: a journal on a disk that fills mid-grid. The run
// fails with one line that says what the journal keeps, writes no output
// and leaves no partial record or temporary file; once the disk has room
// again, --resume takes the tiles written and evaluates the others, and
// the grid is the undisturbed one's, byte for byte. A journal on a
// read-only disk is refused before any tile is evaluated.
func TestJournalDiskFull(t *testing.T) {
	l := newLab(t, "testfuncs")
	disk := smallDisk(t, l, 1<<20) // about 40 of the 100 records of 24 KiB
	grid := []string{"eval", "rastrigin", "--set", "dim=64", "--res", "1000x600", "--tile-rows", "6", "--backend", "cpu", "--no-stats"}
	l.run(t, append(grid, "-o", "ref.npy")...)
	ref := l.read(t, "ref.npy")

	journal := filepath.Join(disk, "j")
	var stderr bytes.Buffer
	c := l.command(append(grid, "-o", "g.npy", "--journal", journal)...)
	c.Stderr = &stderr
	err := c.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("a full disk: %v\n%s", err, stderr.String())
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "no space left on device; the journal keeps the ") || !strings.Contains(msg, "--resume continues once this is mended") {
		t.Errorf("a full disk: want one line naming the full disk and what is kept, got:\n%s", msg)
	}
	if _, err := os.Stat(filepath.Join(l.out, "g.npy")); !os.IsNotExist(err) {
		t.Errorf("a failed run left its output: %v", err)
	}
	ents, err := os.ReadDir(journal)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, e := range ents {
		switch {
		case strings.HasSuffix(e.Name(), ".tile"):
			held++
		case e.Name() != "manifest.json" && e.Name() != "backend":
			t.Errorf("the journal holds %s after the disk filled", e.Name())
		}
	}
	if held == 0 || held >= 100 {
		t.Fatalf("the full disk took %d records", held)
	}

	remount(t, disk, "size=8m")
	sum := filepath.Join(l.out, "g.json")
	out := l.run(t, append(grid, "-o", "g.npy", "--journal", journal, "--resume", "--summary", sum)...)
	if want := fmt.Sprintf("resuming from %s: %d of 100 tiles done", journal, held); !strings.Contains(out, want) {
		t.Errorf("stderr lacks %q:\n%s", want, out)
	}
	if st := l.tiles(t, "g.json"); st.Resumed != held || st.Evaluated != 100-held {
		t.Errorf("resumed with %d records: %+v", held, st)
	}
	if !bytes.Equal(l.read(t, "g.npy"), ref) {
		t.Fatalf("the resumed grid differs from the undisturbed run's")
	}

	// A read-only disk: refused at once, nothing made.
	remount(t, disk, "ro")
	stderr.Reset()
	c = l.command(append(grid, "-o", "h.npy", "--journal", filepath.Join(disk, "k"))...)
	c.Stderr = &stderr
	if err := c.Run(); !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "cannot make the folder: read-only file system") || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Errorf("a read-only disk: %v\n%s", err, stderr.String())
	}
	stderr.Reset()
	c = l.command(append(grid, "-o", "h.npy", "--journal", journal, "--resume")...)
	c.Stderr = &stderr
	if err := c.Run(); !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "cannot write there: read-only file system") {
		t.Errorf("resuming on a read-only disk: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(l.out, "h.npy")); !os.IsNotExist(err) {
		t.Errorf("a refused run left its output: %v", err)
	}
}
