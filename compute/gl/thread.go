package gl

import (
	"errors"
	"runtime"
	"sync"
)

// Every GL context is current on one OS thread, and every call on it runs
// there. A headless EGL context gets a thread of its own (a goroutine locked
// to a new OS thread). GLFW asks more: on macOS its windows, its event
// processing and their GL contexts belong to the process's main thread. A
// program that shows windows therefore hands its main thread to this
// package with Main; GLFW contexts (the viewer's window, the "glfw"
// headless platform) then run there. Where no main-thread runner is
// installed (go test binaries, other programs), a GLFW context falls back to
// a dedicated locked thread, as a headless one does: enough for Linux and
// Windows, not for macOS.
//
// The runner is small and written here: no suitable main-thread library
// could be fetched through the module proxy this project builds with
// (golang.design/x/mainthread and github.com/faiface/mainthread were
// refused), and this needs little.

// errNoThread: the thread a context lives on no longer runs calls (the
// main-thread runner returned, or the context's own thread ended).
var errNoThread = errors.New("gl: the context's thread no longer runs GL calls")

// thread runs functions, one at a time, on one OS thread.
type thread struct {
	calls chan func()
	// quit asks a dedicated thread to stop; done is closed when the thread
	// stops taking calls.
	quit, done chan struct{}
	// main is true for the main-thread runner, which Main ends, not Close.
	main bool
}

// submit hands f to the thread; it returns once the thread has taken f
// (not when f has run), or errNoThread when the thread has stopped.
func (t *thread) submit(f func()) error {
	select {
	case t.calls <- f:
		return nil
	case <-t.done:
		return errNoThread
	}
}

// run runs f on the thread and waits for it.
func (t *thread) run(f func()) error {
	fin := make(chan struct{})
	if err := t.submit(func() { defer close(fin); f() }); err != nil {
		return err
	}
	<-fin
	return nil
}

// stop ends a dedicated thread once it has run the call it is running;
// later calls are refused. The main thread's runner is left alone.
func (t *thread) stop() {
	if t.main {
		return
	}
	close(t.quit)
	<-t.done
}

// newThread starts a goroutine locked to an OS thread of its own that runs
// the calls it is handed until stop.
func newThread() *thread {
	t := &thread{calls: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		runtime.LockOSThread()
		// Unlock before the goroutine ends: Go would otherwise end the
		// thread, and Linux kills the children a thread forked when it
		// ends (their parent-death signal), whichever goroutine forked
		// them there.
		defer runtime.UnlockOSThread()
		defer close(t.done)
		for {
			select {
			case f := <-t.calls:
				f()
			case <-t.quit:
				return
			}
		}
	}()
	return t
}

var (
	mainMu     sync.Mutex
	mainThread *thread // the runner Main installed, nil when none serves
)

// Main hands the calling goroutine's OS thread, which must be the main
// thread, to GL: it runs run on a new goroutine, and meanwhile runs there
// every call of the GLFW contexts (window creation, events, buffer swaps,
// GL calls) that New makes, until run returns; it returns run's result.
// Call it from main, with the main goroutine locked to the main thread by
// runtime.LockOSThread in an init function (Go starts main on the main
// thread, and only an init-time lock keeps it there):
//
//	func init() { runtime.LockOSThread() }
//
//	func main() { os.Exit(gl.Main(run)) }
//
// A GLFW context still open when run returns can no longer be used: its
// calls fail. Main called again while one serves runs run on the calling
// goroutine, the first Main serving both.
func Main(run func() int) int {
	runtime.LockOSThread()
	t := &thread{calls: make(chan func()), done: make(chan struct{}), main: true}
	mainMu.Lock()
	if mainThread != nil {
		mainMu.Unlock()
		return run()
	}
	mainThread = t
	mainMu.Unlock()
	defer func() {
		mainMu.Lock()
		mainThread = nil
		mainMu.Unlock()
		close(t.done)
	}()
	result := make(chan int, 1)
	go func() { result <- run() }()
	for {
		select {
		case f := <-t.calls:
			f()
		case code := <-result:
			return code
		}
	}
}

// glfwThread is the thread for a GLFW context: the main thread when Main
// serves it, else a new dedicated one.
func glfwThread() *thread {
	mainMu.Lock()
	defer mainMu.Unlock()
	if mainThread != nil {
		return mainThread
	}
	return newThread()
}
