package gl

import (
	"runtime"
	"testing"
)

// The test binary's main goroutine stays on the main thread, for TestMain's
// Main (as cmd/landscape's init does).
func init() { runtime.LockOSThread() }

// withoutMain hides the main-thread runner for the rest of the test: New
// then falls back to dedicated threads, as in programs that do not call
// Main.
func withoutMain(t *testing.T) {
	mainMu.Lock()
	saved := mainThread
	mainThread = nil
	mainMu.Unlock()
	t.Cleanup(func() {
		mainMu.Lock()
		mainThread = saved
		mainMu.Unlock()
	})
}

// TestMainNested: Main while one serves runs its function directly.
func TestMainNested(t *testing.T) {
	if got := Main(func() int { return 7 }); got != 7 {
		t.Errorf("Main returned %d, want 7", got)
	}
}

// TestThreadStop: a dedicated thread runs what it is handed, in order, and
// refuses calls once stopped.
func TestThreadStop(t *testing.T) {
	th := newThread()
	var got []int
	for i := range 3 {
		if err := th.run(func() { got = append(got, i) }); err != nil {
			t.Fatal(err)
		}
	}
	th.stop()
	if len(got) != 3 || got[2] != 2 {
		t.Errorf("ran %v", got)
	}
	if err := th.submit(func() {}); err != errNoThread {
		t.Errorf("submit after stop: %v", err)
	}
}
