package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(cleanup{m}, map[string]func(){
		// As the real binary: main serves GL on the main thread (init locks
		// this test binary's main goroutine to it too).
		"landscape": main,
	})
}

// cleanup removes the plugins built for the tests once they have run.
type cleanup struct{ m *testing.M }

func (c cleanup) Run() int {
	code := c.m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	return code
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// plugins builds the real plugin executables once per test binary: the
// built-in ones into DIR/plugins, the faulty test plugin into DIR/faulty,
// a second copy of the example plugin into DIR/clash (a name clash), and
// copies of the faulty plugin under the names that make it another one
// into DIR/odd/NAME (see testdata/faulty).
func plugins(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "landscape-test-plugins-")
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ out, pkg string }{
			{"plugins/landscape-plugin-testfuncs", "../../plugins/testfuncs"},
			{"plugins/landscape-plugin-tilted", "../../plugins/examples/tilted"},
			{"plugins/landscape-plugin-optimizers", "../../plugins/optimizers"},
			{"plugins/landscape-plugin-models", "../../plugins/models"},
			{"plugins/landscape-plugin-expr", "../../plugins/expr"},
			{"faulty/landscape-plugin-faulty", "./testdata/faulty"},
			{"clash/landscape-plugin-tilted-copy", "../../plugins/examples/tilted"},
		} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(buildDir, b.out), b.pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
		faulty, err := os.ReadFile(filepath.Join(buildDir, "faulty", "landscape-plugin-faulty"))
		if err != nil {
			buildErr = err
			return
		}
		for _, name := range []string{"mute", "wordy", "stale-rows", "nan-minimum", "minimum-outside"} {
			d := filepath.Join(buildDir, "odd", name)
			if buildErr = os.MkdirAll(d, 0o755); buildErr != nil {
				return
			}
			if buildErr = os.WriteFile(filepath.Join(d, "landscape-plugin-"+name), faulty, 0o755); buildErr != nil {
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

func TestScripts(t *testing.T) {
	dir := plugins(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PLUGINS", filepath.Join(dir, "plugins"))
			env.Setenv("FAULTY", filepath.Join(dir, "faulty"))
			env.Setenv("CLASH", filepath.Join(dir, "clash"))
			env.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
			env.Setenv("ODD", filepath.Join(dir, "odd"))
			// The shared files' folders go into the script's own folder
			// (scripts that look for leftovers set XDG_RUNTIME_DIR too).
			env.Setenv("LANDSCAPE_SHARED_ROOT", filepath.Join(env.WorkDir, "shm"))
			if err := os.Mkdir(filepath.Join(env.WorkDir, "shm"), 0o700); err != nil {
				return err
			}
			env.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
			// The viewer's window needs the X display (xvfb-run's in CI).
			for _, k := range []string{"DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR", "MESA_GL_VERSION_OVERRIDE", "MESA_GLSL_VERSION_OVERRIDE"} {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "display" {
				// Under `make test` (xvfb-run, LANDSCAPE_REQUIRE_GLFW) this
				// holds, so the viewer's scripts never skip there.
				return os.Getenv("DISPLAY") != "" || os.Getenv("LANDSCAPE_REQUIRE_GLFW") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"npy":         cmdNPY,
			"nlines":      cmdNLines,
			"png":         cmdPNG,
			"labelsagree": cmdLabelsAgree,
			"colorsnear":  cmdColorsNear,
			"gif":         cmdGIF,
			"curvemin":    cmdCurveMin,
			"npyclose":    cmdNPYClose,
			"walkcheck":   cmdWalkCheck,
			"csvcol":      cmdCSVCol,
			"sig":         cmdSig,
			"within":      cmdWithin,
			"exitcode":    cmdExitCode,
			"waitwrite":   cmdWaitWrite,
			"nostale":     cmdNoStale,
			"shortdir":    cmdShortDir,
			"basincount":  cmdBasinCount,
			"jsoneq":      cmdJSONEq,
		},
	})
}

// signals are the signals sig sends, by name.
var signals = map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP, "KILL": syscall.SIGKILL}

// sent records, per script, when sig last signalled and which process.
var sent sync.Map // *testscript.TestScript → sentSig

type sentSig struct {
	at  time.Time
	cmd *exec.Cmd
}

// sig SIGNAL: sends SIGNAL (INT, TERM, HUP, KILL) to the script's
// background command and notes the time (see within, exitcode).
func cmdSig(ts *testscript.TestScript, neg bool, args []string) {
	bg := ts.BackgroundCmds()
	if neg || len(args) != 1 || len(bg) != 1 {
		ts.Fatalf("usage: sig INT|TERM|HUP|KILL, with one background command")
	}
	s, ok := signals[args[0]]
	if !ok {
		ts.Fatalf("unknown signal %s", args[0])
	}
	sent.Store(ts, sentSig{time.Now(), bg[0]})
	ts.Check(bg[0].Process.Signal(s))
}

// within DURATION: the background command sig signalled has exited within
// DURATION of the signal (call it after wait).
func cmdWithin(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := sent.Load(ts)
	if neg || len(args) != 1 || !ok {
		ts.Fatalf("usage: within DURATION, after sig and wait")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	s := v.(sentSig)
	if s.cmd.ProcessState == nil {
		ts.Fatalf("the command has not been waited for")
	}
	// The wait's own delay is in this too: a bound, not a measurement.
	if took := time.Since(s.at); took > d {
		ts.Fatalf("exited %v after the signal, want within %v", took.Round(time.Millisecond), d)
	}
}

// exitcode N: the background command sig signalled exited with status N.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := sent.Load(ts)
	if neg || len(args) != 1 || !ok || v.(sentSig).cmd.ProcessState == nil {
		ts.Fatalf("usage: exitcode N, after sig and wait")
	}
	if got := strconv.Itoa(v.(sentSig).cmd.ProcessState.ExitCode()); got != args[0] {
		ts.Fatalf("exit status %s, want %s", got, args[0])
	}
}

// waitwrite BYTES: waits (up to a minute) until the script's background
// command has written BYTES or more (as /proc/PID/io counts them): it is
// writing its output.
func cmdWaitWrite(ts *testscript.TestScript, neg bool, args []string) {
	bg := ts.BackgroundCmds()
	if neg || len(args) != 1 || len(bg) != 1 {
		ts.Fatalf("usage: waitwrite BYTES, with one background command")
	}
	want, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", bg[0].Process.Pid))
		if err != nil {
			ts.Fatalf("the command ended before writing %d bytes: %v", want, err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "wchar: "); ok {
				if n, _ := strconv.ParseInt(v, 10, 64); n >= want {
					return
				}
			}
		}
	}
	ts.Fatalf("%d bytes not written within a minute", want)
}

// nostale DIR...: no host left anything behind in the folders: no folder
// landscape-PID-* and no temporary output .NAME.tmp-PID-* of a process
// that is gone. With -any first, none of any process either.
func cmdNoStale(ts *testscript.TestScript, neg bool, args []string) {
	anyPID := len(args) > 0 && args[0] == "-any"
	if anyPID {
		args = args[1:]
	}
	if neg || len(args) == 0 {
		ts.Fatalf("usage: nostale [-any] DIR...")
	}
	re := regexp.MustCompile(`^(?:landscape-|\..*\.tmp-)(\d+)-`)
	for _, d := range args {
		ents, err := os.ReadDir(ts.MkAbs(d))
		if err != nil && !os.IsNotExist(err) {
			ts.Fatalf("%v", err)
		}
		for _, e := range ents {
			m := re.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			pid, _ := strconv.Atoi(m[1])
			if anyPID || syscall.Kill(pid, 0) == syscall.ESRCH {
				ts.Fatalf("%s holds %s, left by process %d", d, e.Name(), pid)
			}
		}
	}
}

// shortdir VAR: makes a folder of a short path (under /tmp, removed after
// the script) and sets VAR to it: a runtime folder for the host's
// sockets, whose paths cannot be long.
func cmdShortDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: shortdir VAR")
	}
	d, err := os.MkdirTemp("/tmp", "ls")
	ts.Check(err)
	ts.Defer(func() { os.RemoveAll(d) })
	ts.Setenv(args[0], d)
}

// curvemin FILE.csv N [TOL X...]: the loss column of a slice's CSV has
// exactly N interior local minima, each within TOL of one of the Xs (and
// every X near one), when they are given.
func cmdCurveMin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) == 3 {
		ts.Fatalf("usage: curvemin FILE.csv N [TOL X...]")
	}
	lines := strings.Split(strings.TrimSpace(ts.ReadFile(args[0])), "\n")
	var t, loss []float64
	for _, l := range lines[1:] {
		c := strings.Split(l, ",")
		a, err1 := strconv.ParseFloat(c[0], 64)
		b, err2 := strconv.ParseFloat(c[1], 64)
		if len(c) < 2 || err1 != nil || err2 != nil {
			ts.Fatalf("%s: bad row %q", args[0], l)
		}
		t, loss = append(t, a), append(loss, b)
	}
	var at []float64
	for i := 1; i+1 < len(loss); i++ {
		if loss[i] < loss[i-1] && loss[i] <= loss[i+1] {
			at = append(at, t[i])
		}
	}
	if strconv.Itoa(len(at)) != args[1] {
		ts.Fatalf("%s: %d interior local minima at %v, want %s", args[0], len(at), at, args[1])
	}
	if len(args) == 2 {
		return
	}
	tol, _ := strconv.ParseFloat(args[2], 64)
	near := func(x float64, ys []float64) bool {
		for _, y := range ys {
			if math.Abs(x-y) <= tol {
				return true
			}
		}
		return false
	}
	var want []float64
	for _, a := range args[3:] {
		v, _ := strconv.ParseFloat(a, 64)
		want = append(want, v)
	}
	for _, x := range at {
		if !near(x, want) {
			ts.Fatalf("%s: minimum at %v is not within %v of any of %v", args[0], x, tol, want)
		}
	}
	for _, w := range want {
		if !near(w, at) {
			ts.Fatalf("%s: no minimum within %v of %v (minima at %v)", args[0], tol, w, at)
		}
	}
}

// nlines N: the last command's stderr has exactly N lines.
func cmdNLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: nlines N")
	}
	want, _ := strconv.Atoi(args[0])
	s := ts.ReadFile("stderr")
	got := strings.Count(s, "\n")
	if (got == want) == neg {
		ts.Fatalf("stderr has %d lines, want %d:\n%s", got, want, s)
	}
}

// npy FILE NY NX [nan=N] [min=V] [at=I,J,V]: FILE is a float32 .npy of shape
// (NY, NX), with N NaNs, minimum V, value V at column I row J (rel 1e-5).
func cmdNPY(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: npy FILE NY NX [nan=N] [min=V] [at=I,J,V]")
	}
	ny, nx, vals, err := readNPY(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if strconv.Itoa(ny) != args[1] || strconv.Itoa(nx) != args[2] {
		ts.Fatalf("%s: shape (%d, %d), want (%s, %s)", args[0], ny, nx, args[1], args[2])
	}
	nan, mn := 0, math.Inf(1)
	for _, v := range vals {
		if v != v {
			nan++
		} else {
			mn = math.Min(mn, float64(v))
		}
	}
	for _, a := range args[3:] {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "nan":
			if strconv.Itoa(nan) != v {
				ts.Fatalf("%s: %d NaNs, want %s", args[0], nan, v)
			}
		case "min":
			w, _ := strconv.ParseFloat(v, 64)
			if math.Abs(mn-w) > 1e-5*(1+math.Abs(w)) {
				ts.Fatalf("%s: min %v, want %v", args[0], mn, w)
			}
		case "at":
			p := strings.Split(v, ",")
			i, _ := strconv.Atoi(p[0])
			j, _ := strconv.Atoi(p[1])
			w, _ := strconv.ParseFloat(p[2], 64)
			got := float64(vals[j*nx+i])
			if math.Abs(got-w) > 1e-5*(1+math.Abs(w)) {
				ts.Fatalf("%s: value at column %d row %d is %v, want %v", args[0], i, j, got, w)
			}
		default:
			ts.Fatalf("npy: unknown check %q", a)
		}
	}
}

var shapeRE = regexp.MustCompile(`'shape': \((\d+), (\d+)\)`)

// readNPY reads a 2D little-endian float32 .npy file.
func readNPY(path string) (ny, nx int, vals []float32, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, err
	}
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		return 0, 0, nil, fmt.Errorf("not a .npy v1.0 file")
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	h := string(b[10 : 10+hl])
	m := shapeRE.FindStringSubmatch(h)
	if m == nil || !strings.Contains(h, "'<f4'") {
		return 0, 0, nil, fmt.Errorf("header %q", h)
	}
	ny, _ = strconv.Atoi(m[1])
	nx, _ = strconv.Atoi(m[2])
	body := b[10+hl:]
	if len(body) != 4*nx*ny {
		return 0, 0, nil, fmt.Errorf("%d data bytes for shape (%d, %d)", len(body), ny, nx)
	}
	vals = make([]float32, nx*ny)
	for k := range vals {
		vals[k] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*k:]))
	}
	return ny, nx, vals, nil
}

// png FILE W H: FILE is a W×H PNG with many colours (not blank).
func cmdPNG(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: png FILE W H")
	}
	img := decodePNG(ts, args[0])
	b := img.Bounds()
	if strconv.Itoa(b.Dx()) != args[1] || strconv.Itoa(b.Dy()) != args[2] {
		ts.Fatalf("%s is %dx%d, want %sx%s", args[0], b.Dx(), b.Dy(), args[1], args[2])
	}
	colours := map[[3]uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	if len(colours) < 64 {
		ts.Fatalf("%s has only %d colours: blank?", args[0], len(colours))
	}
}

// labelsagree A B FRAC: two int32 .npy label grids of one shape agree on at
// least FRAC of their cells.
func cmdLabelsAgree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: labelsagree A B FRAC")
	}
	a, err := readLabels(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	b, err := readLabels(ts.MkAbs(args[1]))
	if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if len(a) != len(b) {
		ts.Fatalf("%d and %d labels", len(a), len(b))
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	want, _ := strconv.ParseFloat(args[2], 64)
	if f := float64(same) / float64(len(a)); f < want {
		ts.Fatalf("labels agree on %.4f of %d cells, want at least %v", f, len(a), want)
	}
}

// basincount FILE N: the int32 .npy label grid FILE has N distinct basins
// (labels of 0 and above).
func cmdBasinCount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: basincount FILE N")
	}
	l, err := readLabels(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	seen := map[int32]bool{}
	for _, v := range l {
		if v >= 0 {
			seen[v] = true
		}
	}
	if strconv.Itoa(len(seen)) != args[1] {
		ts.Fatalf("%s has %d basins, want %s", args[0], len(seen), args[1])
	}
}

// readLabels reads a little-endian int32 .npy file.
func readLabels(path string) ([]int32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY\x01\x00")) {
		return nil, fmt.Errorf("not a .npy v1.0 file")
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	if !strings.Contains(string(b[10:10+hl]), "'<i4'") {
		return nil, fmt.Errorf("not int32: %q", b[10:10+hl])
	}
	body := b[10+hl:]
	out := make([]int32, len(body)/4)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(body[4*i:]))
	}
	return out, nil
}

// colorsnear [-rect=X0,Y0,X1,Y1] [-min=N] FILE 0xRRGGBB...: every colour
// appears in the PNG (within 12 per channel), in at least N pixels (1 by
// default) of the rect (pixels, top-left origin, X1 and Y1 excluded; the
// whole image by default): the colormap's ends show the picture is drawn
// from it. Negated: none of the colours appears N times there.
func cmdColorsNear(ts *testscript.TestScript, neg bool, args []string) {
	usage := "usage: colorsnear [-rect=X0,Y0,X1,Y1] [-min=N] FILE 0xRRGGBB..."
	var rect *image.Rectangle
	least := 1
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		name, val, _ := strings.Cut(args[0], "=")
		switch name {
		case "-rect":
			var r [4]int
			f := strings.Split(val, ",")
			if len(f) != 4 {
				ts.Fatalf("%s", usage)
			}
			for i := range r {
				v, err := strconv.Atoi(f[i])
				if err != nil {
					ts.Fatalf("%s", usage)
				}
				r[i] = v
			}
			rr := image.Rect(r[0], r[1], r[2], r[3])
			rect = &rr
		case "-min":
			v, err := strconv.Atoi(val)
			if err != nil || v < 1 {
				ts.Fatalf("%s", usage)
			}
			least = v
		default:
			ts.Fatalf("%s", usage)
		}
		args = args[1:]
	}
	if len(args) < 2 {
		ts.Fatalf("%s", usage)
	}
	img := decodePNG(ts, args[0])
	b := img.Bounds()
	if rect != nil {
		b = rect.Intersect(b)
	}
	for _, hex := range args[1:] {
		v, err := strconv.ParseUint(strings.TrimPrefix(hex, "0x"), 16, 32)
		if err != nil {
			ts.Fatalf("bad colour %q", hex)
		}
		want := [3]int{int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)}
		n := 0
		for y := b.Min.Y; y < b.Max.Y && n < least; y++ {
			for x := b.Min.X; x < b.Max.X && n < least; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
				if abs(got[0]-want[0]) <= 12 && abs(got[1]-want[1]) <= 12 && abs(got[2]-want[2]) <= 12 {
					n++
				}
			}
		}
		switch {
		case n < least && !neg:
			ts.Fatalf("%s: fewer than %d pixels near %s in %v", args[0], least, hex, b)
		case n >= least && neg:
			ts.Fatalf("%s: %d or more pixels near %s in %v", args[0], least, hex, b)
		}
	}
}

// gif FILE W H N 0xRRGGBB...: an animated GIF of W×H pixels in N frames,
// looping forever, whose frames (each drawn over the ones before) show more
// and more pixels of the colours (within 12 per channel; the paths' colours,
// which may cover one another): fewer in the first frame than half-way and
// than in the last, and no fewer (within 2%) in the last than half-way.
func cmdGIF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 5 {
		ts.Fatalf("usage: gif FILE W H N 0xRRGGBB...")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	g, err := gif.DecodeAll(f)
	f.Close()
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	if w, h := strconv.Itoa(g.Config.Width), strconv.Itoa(g.Config.Height); w != args[1] || h != args[2] {
		ts.Fatalf("%s is %sx%s, want %sx%s", args[0], w, h, args[1], args[2])
	}
	if n := strconv.Itoa(len(g.Image)); n != args[3] {
		ts.Fatalf("%s has %s frames, want %s", args[0], n, args[3])
	}
	if g.LoopCount != 0 {
		ts.Fatalf("%s: loop count %d, want 0 (forever)", args[0], g.LoopCount)
	}
	var wants [][3]int
	for _, hex := range args[4:] {
		v, err := strconv.ParseUint(strings.TrimPrefix(hex, "0x"), 16, 32)
		if err != nil {
			ts.Fatalf("bad colour %q", hex)
		}
		wants = append(wants, [3]int{int(v >> 16 & 255), int(v >> 8 & 255), int(v & 255)})
	}
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	last := len(g.Image) - 1
	var counts []int
	for k, fr := range g.Image {
		draw.Draw(canvas, fr.Bounds(), fr, fr.Bounds().Min, draw.Over)
		if k != 0 && k != last/2 && k != last {
			continue
		}
		n := 0
		for i := 0; i+3 < len(canvas.Pix); i += 4 {
			for _, want := range wants {
				if abs(int(canvas.Pix[i])-want[0]) <= 12 && abs(int(canvas.Pix[i+1])-want[1]) <= 12 && abs(int(canvas.Pix[i+2])-want[2]) <= 12 {
					n++
					break
				}
			}
		}
		counts = append(counts, n)
	}
	ts.Logf("%s: pixels of the colours in frames 0, %d, %d: %v", args[0], last/2, last, counts)
	// A run that has settled by half-way grows no more, and its head
	// moving over its path may cover a few pixels: allow 2% less.
	if !(counts[0] < counts[1] && counts[0] < counts[2] && 50*counts[2] >= 49*counts[1]) {
		ts.Fatalf("%s: the colours' pixels do not grow from frame to frame: %v", args[0], counts)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// decodePNG reads a PNG of the script's or fails it.
func decodePNG(ts *testscript.TestScript, name string) image.Image {
	f, err := os.Open(ts.MkAbs(name))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		ts.Fatalf("%s: %v", name, err)
	}
	return img
}

// npyclose A.npy B.npy RTOL: the arrays have one shape, NaN at the same
// points, and differ nowhere by more than RTOL times B's largest
// magnitude.
func cmdNPYClose(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: npyclose A.npy B.npy RTOL")
	}
	ay, ax, a, err := readNPY(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	by, bx, b, err := readNPY(ts.MkAbs(args[1]))
	if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	if ay != by || ax != bx {
		ts.Fatalf("shapes (%d, %d) and (%d, %d) differ", ay, ax, by, bx)
	}
	rtol, err := strconv.ParseFloat(args[2], 64)
	if err != nil {
		ts.Fatalf("npyclose: RTOL %q", args[2])
	}
	scale := 0.0
	for _, v := range b {
		if v == v {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
	}
	worst := 0.0
	for k := range a {
		if (a[k] != a[k]) != (b[k] != b[k]) {
			ts.Fatalf("point %d: %v and %v (NaN in one only)", k, a[k], b[k])
		}
		if a[k] == a[k] {
			worst = math.Max(worst, math.Abs(float64(a[k])-float64(b[k])))
		}
	}
	if worst > rtol*scale {
		ts.Fatalf("largest difference %g, over %g of the scale %g", worst, rtol, scale)
	}
	ts.Logf("largest difference %g (%.2g of the scale %g)", worst, worst/scale, scale)
}

// readCSV reads a CSV file of the script's with a header into columns by
// name (NaN where a cell is not a number).
func readCSV(ts *testscript.TestScript, name string) (map[string][]float64, int) {
	lines := strings.Split(strings.TrimSpace(ts.ReadFile(name)), "\n")
	head := strings.Split(lines[0], ",")
	cols := map[string][]float64{}
	for _, l := range lines[1:] {
		cells := strings.Split(l, ",")
		if len(cells) != len(head) {
			ts.Fatalf("%s: row %q has %d cells, the header %d", name, l, len(cells), len(head))
		}
		for i, c := range cells {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				v = math.NaN()
			}
			cols[head[i]] = append(cols[head[i]], v)
		}
	}
	return cols, len(lines) - 1
}

// walkcheck FILE.csv T0 COOLING: a simulated annealing trajectory holds its
// walk and its best point apart: the best loss never rises and is never
// above the walk's; the walk went uphill at least once; the point moved
// exactly at the steps whose proposal was accepted; accept_rate is the
// running fraction of accepted; the temperature of step t is
// T0·COOLING^(t−1) (NaN at the start).
func cmdWalkCheck(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: walkcheck FILE.csv T0 COOLING")
	}
	t0, err1 := strconv.ParseFloat(args[1], 64)
	cool, err2 := strconv.ParseFloat(args[2], 64)
	if err1 != nil || err2 != nil {
		ts.Fatalf("walkcheck: T0 %q and COOLING %q", args[1], args[2])
	}
	c, n := readCSV(ts, args[0])
	for _, k := range []string{"step", "loss", "best_loss", "temperature", "accepted", "accept_rate", "x0", "best_x0"} {
		if len(c[k]) != n {
			ts.Fatalf("%s: no column %s", args[0], k)
		}
	}
	if n < 3 || !math.IsNaN(c["temperature"][0]) || !math.IsNaN(c["accepted"][0]) {
		ts.Fatalf("%s: %d rows; the start's temperature and acceptance %v, %v (want NaN)", args[0], n, c["temperature"][0], c["accepted"][0])
	}
	uphill, acc := false, 0
	for i := 1; i < n; i++ {
		if c["best_loss"][i] > c["best_loss"][i-1] || c["best_loss"][i] > c["loss"][i] {
			ts.Fatalf("row %d: best loss %v after %v, walk %v", i, c["best_loss"][i], c["best_loss"][i-1], c["loss"][i])
		}
		uphill = uphill || c["loss"][i] > c["loss"][i-1]
		moved := false
		for k := 0; len(c["x"+strconv.Itoa(k)]) == n; k++ {
			moved = moved || c["x"+strconv.Itoa(k)][i] != c["x"+strconv.Itoa(k)][i-1]
		}
		a := c["accepted"][i]
		if a != 0 && a != 1 || moved != (a == 1) {
			ts.Fatalf("row %d: accepted %v, the point moved %v", i, a, moved)
		}
		acc += int(a)
		if r := c["accept_rate"][i]; math.Abs(r-float64(acc)/float64(i)) > 1e-12 {
			ts.Fatalf("row %d: accept_rate %v, want %v", i, r, float64(acc)/float64(i))
		}
		want := t0 * math.Pow(cool, c["step"][i]-1)
		if tt := c["temperature"][i]; math.Abs(tt-want) > 1e-12*want {
			ts.Fatalf("row %d: temperature %v, want %v", i, tt, want)
		}
	}
	if !uphill {
		ts.Fatalf("%s: the walk never went uphill", args[0])
	}
}

// csvcol FILE.csv COLUMN ROW VALUE [TOL]: the CSV's cell in COLUMN of data
// row ROW (0 the first; -1 the last) is VALUE (within TOL, default exact).
func cmdCSVCol(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 || len(args) > 5 {
		ts.Fatalf("usage: csvcol FILE.csv COLUMN ROW VALUE [TOL]")
	}
	c, n := readCSV(ts, args[0])
	col, ok := c[args[1]]
	if !ok {
		ts.Fatalf("%s: no column %s", args[0], args[1])
	}
	row, err := strconv.Atoi(args[2])
	if err != nil || row < -n || row >= n {
		ts.Fatalf("%s: row %q of %d", args[0], args[2], n)
	}
	if row < 0 {
		row += n
	}
	want, err := strconv.ParseFloat(args[3], 64)
	tol := 0.0
	if len(args) == 5 {
		tol, _ = strconv.ParseFloat(args[4], 64)
	}
	if err != nil || !(math.Abs(col[row]-want) <= tol) && !(math.IsNaN(want) && math.IsNaN(col[row])) {
		ts.Fatalf("%s: %s at row %d is %v, want %s (±%v)", args[0], args[1], row, col[row], args[3], tol)
	}
}

// TestExitCodes: 2 for a malformed command line (an unknown command or
// flag, a flag value its type refuses, the wrong number of arguments, a
// missing required flag), 1 for everything else, as the README says.
func TestExitCodes(t *testing.T) {
	dir := plugins(t)
	t.Setenv("LANDSCAPE_PLUGIN_PATH", filepath.Join(dir, "plugins"))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	out := filepath.Join(t.TempDir(), "x.npy")
	for _, c := range []struct {
		code int
		args string
	}{
		{2, "bogus"},
		{2, "eval"},
		{2, "eval ripple extra -o " + out},
		{2, "eval ripple"},
		{2, "eval ripple --bogus -o " + out},
		{2, "eval ripple --res abc -o " + out},
		{2, "eval ripple --max-memory 0.5b -o " + out},
		{2, "eval ripple --max-memory 0 -o " + out},
		{2, "eval ripple --gl-platform vulkan -o " + out},
		{2, "eval ripple --plugin-timeout -3s -o " + out},
		{2, "eval rosenbrock --at nowhere.csv -o " + out},
		{2, "basins himmelblau --optimizer gd --radius -1 -o " + out},
		{2, "basins himmelblau --optimizer gd --radius NaN -o " + out},
		{2, "basins himmelblau -o " + out},
		{2, "surfaces ripple extra"},
		{2, "optimizers extra"},
		{2, "plugins extra"},
		{2, "optimize ripple --start 0,0"},
		{2, "eval ripple --shard 5/4 -o " + out + ".shard"},
		{2, "eval ripple --shard 0/0 -o " + out + ".shard"},
		{2, "eval ripple --shard auto -o " + out + ".shard"},
		{2, "eval ripple --shard 0/2 -o " + out},
		{2, "eval ripple --no-journal --resume -o " + out},
		{2, "merge"},
		{2, "merge " + out + ".shard"},
		{2, "status"},
		{1, "eval ripple --res 20 --tile-rows 5 --shard 0/5 -o " + out + ".shard"},
		{1, "eval ripple --resume -o " + out},
		{1, "merge " + out + ".shard -o " + out},
		{1, "status " + out},
		{1, "eval riple -o " + out},
		{1, "eval ripple --res 60000 -o " + out},
		{1, "eval rastrigin --set A=1000 -o " + out},
		{1, "optimize mlp --optimizer sgd --batch-size 100000 --steps 2"},
		{1, "eval ripple -o " + filepath.Join(out, "nodir", "x.npy")},
		{0, "eval ripple --res 4 -o " + out},
	} {
		var stderr bytes.Buffer
		if code := run(strings.Fields(c.args), io.Discard, &stderr); code != c.code {
			t.Errorf("landscape %s: exit %d, want %d (%s)", c.args, code, c.code, strings.TrimSpace(stderr.String()))
		}
	}
}

// cmdJSONEq checks that two JSON files hold the same number at the given
// paths (dotted keys and array indices, negative from the end:
// runs.0.final_loss, epochs.-1.train_loss), to a relative TOL (default 0);
// with a third path form NUMBER, that the first holds that number.
func cmdJSONEq(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 && len(args) != 4 && len(args) != 5 {
		ts.Fatalf("usage: jsoneq A.json PATH (B.json PATH | = VALUE) [TOL]")
	}
	a := jsonAt(ts, args[0], args[1])
	var b float64
	rest := args[4:]
	if args[2] == "=" {
		v, err := strconv.ParseFloat(args[3], 64)
		if err != nil {
			ts.Fatalf("%q is not a number", args[3])
		}
		b = v
	} else {
		b = jsonAt(ts, args[2], args[3])
	}
	tol := 0.0
	if len(rest) == 1 {
		tol, _ = strconv.ParseFloat(rest[0], 64)
	}
	same := math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
	if same == neg {
		ts.Fatalf("%s %s = %v and %v: same %v, want %v", args[0], args[1], a, b, same, !neg)
	}
}

// jsonAt is the number at path in the JSON file.
func jsonAt(ts *testscript.TestScript, file, path string) float64 {
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("%s: %v", file, err)
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if i < 0 {
				i += len(x)
			}
			if err != nil || i < 0 || i >= len(x) {
				ts.Fatalf("%s: %s: no element %s of %d", file, path, k, len(x))
			}
			v = x[i]
		default:
			ts.Fatalf("%s: %s: %s of a %T", file, path, k, v)
		}
	}
	f, ok := v.(float64)
	if !ok {
		ts.Fatalf("%s: %s is %v, not a number", file, path, v)
	}
	return f
}
