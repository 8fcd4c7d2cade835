package gl

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/landscape-go/landscape/compute"
)

// onMainThread: the calling goroutine runs on the process's main thread
// (on Linux its thread id is the process id).
func onMainThread() bool { return syscall.Gettid() == syscall.Getpid() }

// glfwContext makes a GLFW context or fails (under LANDSCAPE_REQUIRE_GLFW)
// or skips the test.
func glfwContext(t *testing.T, o Options) *Context {
	t.Helper()
	c, err := New(o)
	if err != nil {
		if os.Getenv("LANDSCAPE_REQUIRE_GLFW") != "" {
			t.Fatalf("no GLFW context, and LANDSCAPE_REQUIRE_GLFW demands one: %v", err)
		}
		t.Skipf("no GLFW context (run under xvfb-run): %v", err)
	}
	return c
}

// threadOf tells whether c's calls run on the main thread.
func threadOf(t *testing.T, c *Context) (main bool) {
	t.Helper()
	if err := c.Do(func() error { main = onMainThread(); return nil }); err != nil {
		t.Fatal(err)
	}
	return main
}

// TestContextThreads: under Main (TestMain's), GLFW contexts, a viewer's
// window and the headless "glfw" platform, run on the main thread; EGL
// contexts on threads of their own; and without Main a GLFW context gets a
// thread of its own and works there.
func TestContextThreads(t *testing.T) {
	if onMainThread() {
		t.Fatal("the test runs on the main thread, which Main serves")
	}
	for _, o := range []Options{{Platform: "glfw"}, {Window: &WindowOptions{Width: 64, Height: 48, Title: "test", Hidden: true}}} {
		c := glfwContext(t, o)
		if !threadOf(t, c) {
			t.Errorf("%+v: a GLFW context's calls run off the main thread", o)
		}
		c.Close()
	}
	if threadOf(t, testContext(t)) {
		t.Error("an EGL context's calls run on the main thread")
	}

	withoutMain(t)
	c := glfwContext(t, Options{Platform: "glfw"})
	defer c.Close()
	if threadOf(t, c) {
		t.Error("without Main, a GLFW context's calls run on the main thread")
	}
	s := wave{s: 1}
	got, err := c.Evaluator().Evaluate(context.Background(), compute.Local{S: s}, testGrid(20, 10), compute.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := compute.CPU{}.Evaluate(context.Background(), compute.Local{S: s}, testGrid(20, 10), compute.Options{})
	agree(t, "glfw without Main", got.Values, want.Values)
}

// TestMainServes: Main runs GLFW's calls on the goroutine (and so the
// thread) that called it, while its function runs elsewhere; once it
// returns, the calls are refused and GLFW contexts fall back to threads of
// their own.
func TestMainServes(t *testing.T) {
	withoutMain(t)
	type result struct{ code, mainTid, servedTid, runTid int }
	done := make(chan result)
	var main *thread
	go func() {
		var r result
		r.code = Main(func() int {
			r.runTid = syscall.Gettid()
			main = glfwThread()
			if !main.main {
				return 1
			}
			if err := main.run(func() { r.servedTid = syscall.Gettid() }); err != nil {
				return 2
			}
			return 5
		})
		r.mainTid = syscall.Gettid() // Main locked this goroutine to its thread
		done <- r
	}()
	r := <-done
	if r.code != 5 || r.servedTid != r.mainTid || r.runTid == r.mainTid {
		t.Errorf("Main returned %d; served on thread %d, Main's thread %d, run's %d", r.code, r.servedTid, r.mainTid, r.runTid)
	}
	if err := main.submit(func() {}); err != errNoThread {
		t.Errorf("a call after Main returned: %v", err)
	}
	if th := glfwThread(); th.main {
		t.Error("after Main returned, GLFW contexts still go to it")
	} else {
		th.stop()
	}
}
