package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/host"
	"github.com/spf13/cobra"
)

// TestExamples runs every example of README.md's sh code blocks and of
// every command's --help (the lines under "Examples:") as written, each as
// a subtest, in one scratch folder: the README's in their order, then the
// help's command by command. An example that reads a file (a trajectory,
// a .npy vector, a viewer's script) runs after the example that writes it;
// a file no example writes is made beforehand by setupFiles. Each must
// exit 0 and leave every output it names (-o, --plot, --animate, ...,
// a shell redirection) non-empty.
//
// Nothing else changes an example, but for the explicit substitutions
// below (smaller --res, --steps, --reps where the example as written takes
// longer than CI should: each says why) and the examples listed in
// notRun, which cannot run in CI (each says why). An entry of either that
// no longer matches an example fails the test, so the tables stay
// current; an example that reads a file nothing makes fails it too.
// Examples added later to the README or to a command's help are run
// automatically.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every example; not with -short")
	}
	dir := plugins(t)
	bin := filepath.Join(dir, "landscape")
	binOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var examples []example
	for _, l := range readmeExamples(string(readme)) {
		examples = append(examples, example{source: "README.md", line: l})
	}
	for _, e := range helpExamples(newRoot(&host.App{}, io.Discard, io.Discard)) {
		examples = append(examples, e)
	}
	if len(examples) < 50 {
		t.Fatalf("only %d examples found", len(examples))
	}

	// The tables must match examples as they are now.
	used := map[string]bool{}
	for i := range examples {
		e := &examples[i]
		for _, s := range substitutions {
			if s.example != e.line {
				continue
			}
			used[s.example+"\x00"+s.old] = true
			if !strings.Contains(e.cmd(), s.old) {
				t.Errorf("substitution %q → %q: the example %q does not hold %q", s.old, s.new, s.example, s.old)
			}
			e.run = strings.Replace(e.cmd(), s.old, s.new, 1)
		}
		for _, n := range notRun {
			if n.example == e.line {
				used[n.example] = true
				e.skip = n.why
			}
		}
	}
	for _, s := range substitutions {
		if !used[s.example+"\x00"+s.old] {
			t.Errorf("substitution for %q: no such example any more; update the table", s.example)
		}
	}
	for _, n := range notRun {
		if !used[n.example] {
			t.Errorf("not-run entry %q: no such example any more; update the table", n.example)
		}
	}
	if t.Failed() {
		return
	}

	work := t.TempDir()
	home := filepath.Join(work, "home")
	if err := os.MkdirAll(filepath.Join(work, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	// bin/landscape as after `make build`: the binary beside its plugins.
	if err := os.Symlink(bin, filepath.Join(work, "bin", "landscape")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	env := exampleEnv(t, dir, home)
	r := &exampleRunner{t: t, work: work, repo: repo, home: home, env: env, examples: examples, done: map[int]bool{}}
	for i := range examples {
		r.runIndex(i)
	}
}

var (
	binOnce sync.Once
	binErr  error
)

// example is one example command line and where it came from.
type example struct {
	source string // README.md, or the command whose help holds it
	line   string // as written
	run    string // as run (line after the substitutions); "" means cmd()
	skip   string // why it is not run; "" to run it
}

// cmd is the command line that runs.
func (e example) cmd() string {
	if e.run != "" {
		return e.run
	}
	return e.line
}

// readmeExamples are the command lines of s's ```sh blocks, lines joined
// at a trailing backslash and their trailing comments cut.
func readmeExamples(s string) []string {
	var out []string
	for _, b := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(s, -1) {
		cur := ""
		for _, l := range strings.Split(b[1], "\n") {
			if cur != "" {
				l = " " + strings.TrimSpace(l)
			}
			cur += l
			if strings.HasSuffix(cur, "\\") {
				cur = strings.TrimRight(strings.TrimSuffix(cur, "\\"), " ")
				continue
			}
			if c := strings.TrimSpace(cutComment(cur)); c != "" {
				out = append(out, c)
			}
			cur = ""
		}
	}
	return out
}

// cutComment cuts a shell comment (" #" outside quotes) from l.
func cutComment(l string) string {
	quote := rune(0)
	for i, c := range l {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote == 0 && c == '#' && (i == 0 || l[i-1] == ' '):
			return l[:i]
		}
	}
	return l
}

// helpExamples are the lines under "Examples:" in the help of c and of
// every command below it.
func helpExamples(c *cobra.Command) []example {
	var out []example
	lines := strings.Split(c.Long+"\n"+c.Example, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "Examples:" {
			continue
		}
		cur := ""
		for i++; i < len(lines) && strings.HasPrefix(lines[i], "  "); i++ {
			cur += strings.TrimSpace(lines[i])
			if strings.HasSuffix(cur, "\\") {
				cur = strings.TrimRight(strings.TrimSuffix(cur, "\\"), " ") + " "
				continue
			}
			if strings.HasPrefix(cur, "landscape ") {
				out = append(out, example{source: c.CommandPath() + " --help", line: strings.TrimSpace(cutComment(cur))})
			}
			cur = ""
		}
	}
	for _, sub := range c.Commands() {
		out = append(out, helpExamples(sub)...)
	}
	return out
}

// substitutions are the only changes made to examples: smaller sizes for
// those that take longer than CI should as written. Each replaces the
// first old in example (exactly as written) by new.
var substitutions = []struct{ example, old, new, why string }{
	// bench times grids up to 4096² on every backend, several rounds: as
	// written it runs for minutes (and would load a shared machine); the
	// examples check that its command lines work, at a small size.
	{"landscape bench", "landscape bench", "landscape bench --res 64x64 --reps 1", "the standard suite up to 4096² takes 40 s and more"},
	{"landscape bench --surfaces rastrigin,ripple --res 2048x2048 --reps 9", "--res 2048x2048 --reps 9", "--res 128x128 --reps 1", "nine rounds of 2048² grids"},
	{"landscape bench --json > bench.json", "--json", "--res 64x64 --reps 1 --json", "the standard suite up to 4096² takes 40 s and more"},
	{"landscape bench --surfaces ripple --res 8192x8192 --backends gl,cpu --commands eval,render --reps 1", "--res 8192x8192", "--res 256x256",
		"eval and render of 8192² grids, each a process: a minute and 400 MiB on a 2-core machine"},
	{"landscape bench --surfaces mlp --set n=10000 --plane filter --at train.csv --res 32x32,128x128 --backends gl,cpu,torch-f32,torch-f64,loss-landscape --reps 5", "--set n=10000", "--set n=500", "five rounds of the MLP over 10,000 samples on 128² grids, beside loss-landscape's loop: minutes"},
	{"landscape bench --surfaces mlp --set n=10000 --plane filter --at train.csv --res 32x32,128x128 --backends gl,cpu,torch-f32,torch-f64,loss-landscape --reps 5", "--res 32x32,128x128", "--res 8x8", "as above"},
	{"landscape bench --surfaces mlp --set n=10000 --plane filter --at train.csv --res 32x32,128x128 --backends gl,cpu,torch-f32,torch-f64,loss-landscape --reps 5", "--backends gl,cpu,torch-f32,torch-f64,loss-landscape --reps 5", "--backends gl,cpu --reps 1",
		"the PyTorch and loss-landscape peers need python3-torch, which CI does not install (the benchmark never runs there; the peers' own grids are checked against landscape's by bench before each timing)"},
}

// notRun are the examples CI cannot run, each with the reason.
var notRun = []struct{ example, why string }{
	{"git clone <this repository> landscape && cd landscape", "needs the network and the repository's address"},
	{"make demo", "installs system packages (apt-get, as root) and builds: CI does both before the tests; its commands (surfaces, render ripple) are examples here"},
	{"make test", "runs every test, this one included"},
	{"landscape view rastrigin", "opens a window and waits for its user (the --script example runs)"},
	{"landscape view himmelblau --optimizers sgd,adam --set sgd.lr=0.005,adam.lr=0.05", "opens a window and waits for its user (the --script example runs)"},
}

// setupFiles are the files examples read that no example writes, and how
// they are made beforehand: by a command (run as the examples run), or
// written here.
var setupFiles = map[string]struct {
	cmd   string
	write func(path string) error
}{
	// A trained MLP (its last point), for the examples that analyse one.
	"trained.csv": {cmd: "landscape optimize mlp --optimizer adam --set lr=0.01 --start random --steps 300 -o trained.csv"},
	// A start of the default MLP's 42 parameters: a seeded draw, as
	// optimize --start random draws one.
	"start.npy": {write: func(path string) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		x := compute.RandomDirection(42, 1)
		for k := range x {
			x[k] *= 0.5
		}
		if err := host.WriteNPYVector(f, x); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}},
	// A viewer's script: zoom, a click that starts the optimizers, frames.
	"tour.txt": {write: func(path string) error {
		return os.WriteFile(path, []byte("zoom 1.5\nframes 2\nclick 300 240\nframes 20\n"), 0o644)
	}},
}

// exampleEnv is the environment the examples run in: the built binary on
// PATH (and bin/landscape in the scratch folder), HOME a folder of the
// scratch folder, Go's caches kept (the README's go build), the display
// kept (the viewer's --script example), LANDSCAPE_PLUGIN_PATH unset.
func exampleEnv(t *testing.T, dir, home string) []string {
	env := []string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + home}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOSUMDB"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		if v := strings.TrimSpace(string(out)); v != "" {
			env = append(env, k+"="+v)
		}
	}
	for _, k := range []string{"DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR", "MESA_GL_VERSION_OVERRIDE", "MESA_GLSL_VERSION_OVERRIDE", "LANDSCAPE_REQUIRE_GL", "LANDSCAPE_REQUIRE_GLFW", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// exampleRunner runs examples once each, the writers of the files an
// example reads first.
type exampleRunner struct {
	t          *testing.T
	work, repo string
	home       string
	env        []string
	examples   []example
	done       map[int]bool
}

// outputFlags take an output file.
var outputFlags = map[string]bool{"-o": true, "--output": true, "--plot": true, "--animate": true, "--summary": true, "--graph": true,
	"--density": true, "--screenshot": true, ">": true}

// dataFile matches the files examples read and write.
var dataFile = regexp.MustCompile(`^[\w./~-]+\.(csv|json|npy|npz|txt|png|gif|vts)$`)

// files are the files a command line reads and writes.
func files(line string) (in, out []string) {
	words := shellWords(line)
	for i, w := range words {
		if i > 0 && outputFlags[words[i-1]] {
			out = append(out, w)
			continue
		}
		if strings.HasPrefix(w, "-") || outputFlags[w] {
			continue
		}
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == ',' || r == '=' || r == ':' }) {
			part, _, _ = strings.Cut(part, "@")
			if dataFile.MatchString(part) && !strings.HasPrefix(part, "~") && !strings.HasPrefix(part, "./") {
				in = append(in, part)
			}
		}
	}
	return in, out
}

// shellWords splits a command line as the shell would, near enough for
// examples: at spaces outside quotes, quotes removed.
func shellWords(line string) []string {
	var out []string
	var cur strings.Builder
	quote, in := rune(0), false
	for _, c := range line {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// runIndex runs example i (once), after the examples that write what it
// reads.
func (r *exampleRunner) runIndex(i int) {
	if r.done[i] {
		return
	}
	r.done[i] = true
	e := r.examples[i]
	name := fmt.Sprintf("%02d %s: %s", i+1, e.source, e.line)
	in, out := files(e.cmd())
	if e.skip == "" {
		for _, f := range in {
			r.need(f, name)
		}
	}
	if e.skip != "" {
		r.t.Logf("%s: not run in CI: %s", name, e.skip)
		return
	}
	r.t.Run(name, func(t *testing.T) {
		if strings.HasPrefix(e.cmd(), "landscape view") && os.Getenv("DISPLAY") == "" && os.Getenv("LANDSCAPE_REQUIRE_GLFW") == "" {
			t.Skip("the viewer needs a display (make test runs it under xvfb-run)")
		}
		for _, f := range out {
			if !strings.HasPrefix(f, "~") {
				os.Remove(filepath.Join(r.work, f))
			}
		}
		dir := r.work
		if strings.HasPrefix(e.cmd(), "go ") {
			dir = r.repo // a go command builds a package of the repository
		}
		start := time.Now()
		res, err := r.shell(dir, e.cmd())
		if err != nil {
			t.Fatalf("%s\n(run as: %s)\n%v\n%s", e.line, e.cmd(), err, res)
		}
		for _, f := range out {
			path := filepath.Join(r.work, f)
			if rest, ok := strings.CutPrefix(f, "~/"); ok {
				path = filepath.Join(r.home, rest)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
				t.Errorf("%s: output %s missing or empty (%v)", e.line, f, err)
			}
		}
		t.Logf("%.1f s", time.Since(start).Seconds())
	})
}

// need makes sure the file f exists before the example named by who runs:
// the example that writes it runs first, else setupFiles makes it.
func (r *exampleRunner) need(f, who string) {
	if _, err := os.Stat(filepath.Join(r.work, f)); err == nil {
		return
	}
	for j, e := range r.examples {
		if _, out := files(e.cmd()); e.skip == "" && slices.Contains(out, f) && !r.done[j] {
			r.runIndex(j)
			return
		}
	}
	s, ok := setupFiles[f]
	if !ok {
		r.t.Errorf("%s reads %s, which no example writes and setupFiles does not make", who, f)
		return
	}
	var err error
	var res string
	if s.write != nil {
		err = s.write(filepath.Join(r.work, f))
	} else {
		res, err = r.shell(r.work, s.cmd)
	}
	if err != nil {
		r.t.Errorf("making %s for %s: %v\n%s", f, who, err, res)
	}
}

// shell runs line with bash in dir, with a deadline.
func (r *exampleRunner) shell(dir, line string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "bash", "-c", line)
	c.Dir, c.Env = dir, r.env
	out, err := c.CombinedOutput()
	return string(out), err
}

// TestExampleParsing: the extraction of examples and of the files they
// read and write.
func TestExampleParsing(t *testing.T) {
	md := "text\n```sh\nbin/landscape a --x 1 \\\n    --y 2   # a comment\n\nbin/landscape b --set 'f=x#1'   # c\n```\n```go\nnot(this)\n```\n"
	got := readmeExamples(md)
	want := []string{"bin/landscape a --x 1 --y 2", "bin/landscape b --set 'f=x#1'"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("readme examples %q, want %q", got, want)
	}
	c := &cobra.Command{Use: "x", Long: "About.\n\nExamples:\n  landscape x a\n  landscape x b \\\n    --c\n\nMore text.\n  landscape not-an-example"}
	c.AddCommand(&cobra.Command{Use: "y", Long: "Examples:\n  landscape y"})
	var lines []string
	for _, e := range helpExamples(c) {
		lines = append(lines, e.source+": "+e.line)
	}
	if g := strings.Join(lines, "|"); g != "x --help: landscape x a|x --help: landscape x b --c|x y --help: landscape y" {
		t.Errorf("help examples %q", g)
	}
	in, out := files("bin/landscape slice mlp --set split=0.3,csv=d.csv --from train.csv@0 --to b.json -o interp.png --plot p.png > log.txt")
	if strings.Join(in, ",") != "d.csv,train.csv,b.json" || strings.Join(out, ",") != "interp.png,p.png,log.txt" {
		t.Errorf("files: in %v, out %v", in, out)
	}
	in, out = files("go build -o ~/.landscape/plugins/landscape-plugin-tilted ./plugins/examples/tilted")
	if len(in) != 0 || strings.Join(out, ",") != "~/.landscape/plugins/landscape-plugin-tilted" {
		t.Errorf("go build: in %v, out %v", in, out)
	}
	if w := shellWords(`a 'b c' "d e"f  g`); strings.Join(w, "|") != "a|b c|d ef|g" {
		t.Errorf("shell words %q", w)
	}
}
