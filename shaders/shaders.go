package shaders

import (
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

//go:embed eval.comp.glsl
var evalTemplate string

//go:embed step.comp.glsl
var stepTemplate string

//go:embed grad.glsl
var gradGLSL string

//go:embed curvature.comp.glsl
var curvatureTemplate string

//go:embed minmax.comp.glsl
var minmaxSource string

//go:embed view.vert.glsl
var viewVert string

//go:embed view.frag.glsl
var viewFrag string

//go:embed lines.vert.glsl
var linesVert string

//go:embed lines.frag.glsl
var linesFrag string

// Lines is the viewer's program for lines and points of one colour
// (optimizer paths, ticks), in framebuffer pixels or, with ls_world, in
// the 3D view's world space: vertex and fragment sources.
func Lines() (vertex, fragment string) { return linesVert, linesFrag }

// View is the viewer's 2D drawing program: vertex and fragment sources,
// reading the grid from storage buffer 0 (OpenGL 4.3) or, with texture,
// from an R32F texture (OpenGL 3.3 and later, macOS's 4.1 included).
func View(texture bool) (vertex, fragment string) {
	if texture {
		return viewVert, "#version 330 core\n#define LS_TEXTURE 1\n" + colourGLSL + viewFrag
	}
	return viewVert, "#version 430 core\n" + colourGLSL + viewFrag
}

//go:embed colour.glsl
var colourGLSL string

// MinMax is the min/max reduction kernel (local size 256; the values at
// binding 0, two uint keys at binding 4).
func MinMax() string { return minmaxSource }

// Mode selects what an evaluation kernel iterates over.
type Mode int

const (
	// Plane evaluates the points of a grid plane: θ = origin + x·u + y·v.
	Plane Mode = iota
	// Points evaluates a list of points.
	Points
)

// Local work-group sizes of the kernels.
const (
	PlaneLocalX, PlaneLocalY   = 64, 4
	PointsLocalX, PointsLocalY = 256, 1
)

// SmallDim is the largest dimension whose plane vectors are passed as
// uniforms (ls_o, ls_u, ls_v) rather than read from the storage buffer.
const SmallDim = 32

// Const is a named float constant (a hyperparameter).
type Const struct {
	Name  string
	Value float64
}

// EvalSource is an assembled kernel. Compile logs number the snippet's
// lines from 1, as the author wrote them, and the template's lines from
// TemplateLine+1 (not every driver honours #line's source-string number,
// so the line ranges tell them apart).
type EvalSource struct {
	Source string
}

// TemplateLine offsets the template's line numbers in compile logs, and
// OptimizerLine an optimizer snippet's (whose own line n is logged as
// OptimizerLine+n).
const (
	TemplateLine  = 100000
	OptimizerLine = 50000
)

// StepLocalX is the batch-optimization kernel's work-group size.
const StepLocalX = 64

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// gradRE finds a surface snippet's analytic gradient, void grad(out float g[DIM]).
var gradRE = regexp.MustCompile(`\bvoid\s+grad\s*\(\s*out\s+float`)

// Split is how an evaluation kernel shares out a point's samples (see
// eval.comp.glsl): Lanes invocations of a work group sum the terms of one
// point, a power of two, and a work group holds Pts points. The zero value
// is no split: one invocation a point, the snippet's loss().
type Split struct {
	Lanes, Pts int
	// PtsFast makes consecutive invocations consecutive points (SIMD
	// software renderers) rather than one point's lanes (GPUs' warps).
	PtsFast bool
}

// splitREs find what a split kernel needs of a snippet: the number of
// samples, the sum of their terms and the loss from the sum.
var splitREs = []*regexp.Regexp{
	regexp.MustCompile(`\bSAMPLES\b`),
	regexp.MustCompile(`\bfloat\s+loss_terms\s*\(\s*int\b`),
	regexp.MustCompile(`\bfloat\s+loss_total\s*\(\s*float\b`),
}

// Splits reports whether snippet defines SAMPLES, loss_terms and
// loss_total, so that its samples can be split among invocations.
func Splits(snippet string) bool {
	for _, re := range splitREs {
		if !re.MatchString(snippet) {
			return false
		}
	}
	return true
}

// Eval assembles the evaluation kernel for a surface's snippet; a split
// (when split.Lanes > 0) needs a snippet that Splits. A plane kernel
// without a split evaluates cols consecutive columns of a row an
// invocation (cols < 1 means 1): its dispatch is ⌈nx / (PlaneLocalX·cols)⌉
// work groups across.
func Eval(mode Mode, snippet string, dim, ndata int, consts []Const, split Split, cols int) (EvalSource, error) {
	if !strings.Contains(snippet, "loss") {
		return EvalSource{}, fmt.Errorf("shaders: the snippet defines no loss()")
	}
	var defs string
	if mode == Points {
		defs = fmt.Sprintf("#define LS_POINTS 1\n#define LOCAL_X %d\n#define LOCAL_Y %d\n", PointsLocalX, PointsLocalY)
	} else {
		defs = fmt.Sprintf("#define LOCAL_X %d\n#define LOCAL_Y %d\n#define LS_COLS %d\n", PlaneLocalX, PlaneLocalY, max(cols, 1))
	}
	if split.Lanes > 0 {
		if !Splits(snippet) {
			return EvalSource{}, fmt.Errorf("shaders: a split kernel needs SAMPLES, loss_terms and loss_total in the snippet")
		}
		if split.Lanes&(split.Lanes-1) != 0 || split.Pts < 1 {
			return EvalSource{}, fmt.Errorf("shaders: split of %d lanes by %d points: lanes must be a power of two, points at least 1", split.Lanes, split.Pts)
		}
		defs += fmt.Sprintf("#define LS_SPLIT 1\n#define LS_LANES %d\n#define LS_PTS %d\n#define LS_LOCAL %d\n", split.Lanes, split.Pts, split.Lanes*split.Pts)
		if split.PtsFast {
			defs += "#define LS_PTS_FAST 1\n"
		}
	}
	defs += fmt.Sprintf("#define LS_SMALL_DIM %d\n", SmallDim)
	h, err := header(defs, dim, ndata, consts)
	if err != nil {
		return EvalSource{}, err
	}
	return assemble(h, evalTemplate, snippet, "")
}

// assemble is the header h, the template up to its snippet marker, the
// snippet (its lines numbered from 1, as the author wrote them), extra
// (template code that uses the snippet), then the rest of the template,
// numbered from TemplateLine on.
func assemble(h, template, snippet, extra string) (EvalSource, error) {
	before, after, ok := strings.Cut(template, "//@SNIPPET\n")
	if !ok {
		return EvalSource{}, fmt.Errorf("shaders: template has no snippet marker")
	}
	src := h + before
	next := strings.Count(src, "\n") + 1
	src += "#line 1\n" + strings.TrimRight(snippet, "\n") + "\n"
	resume := "#line " + strconv.Itoa(TemplateLine+next+1) + "\n"
	if extra != "" {
		src += resume + extra
	}
	src += resume + after
	return EvalSource{Source: src}, nil
}

// Float formats v as a GLSL float literal.
func Float(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 32)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// header is the kernels' first lines: version, defines, constants.
func header(defs string, dim, ndata int, consts []Const) (string, error) {
	var h strings.Builder
	h.WriteString("#version 430 core\n")
	fmt.Fprintf(&h, "#line %d\n", TemplateLine+2)
	h.WriteString(defs)
	fmt.Fprintf(&h, "#define DIM %d\n#define NDATA %d\n", dim, ndata)
	seen := map[string]bool{}
	for _, c := range consts {
		if !identRE.MatchString(c.Name) || strings.HasPrefix(c.Name, "ls_") || strings.HasPrefix(c.Name, "gl_") {
			return "", fmt.Errorf("shaders: hyperparameter %q is not a GLSL identifier the kernel can declare", c.Name)
		}
		if seen[c.Name] {
			return "", fmt.Errorf("shaders: two hyperparameters are named %s (the surface's and the optimizer's)", c.Name)
		}
		seen[c.Name] = true
		if math.IsNaN(c.Value) || math.IsInf(c.Value, 0) {
			return "", fmt.Errorf("shaders: hyperparameter %s=%v is not finite", c.Name, c.Value)
		}
		fmt.Fprintf(&h, "const float %s = %s;\n", c.Name, Float(c.Value))
	}
	return h.String(), nil
}

// Used keeps the constants whose names appear as identifiers in src: a
// kernel declares only what its snippet reads, so that a surface's and an
// optimizer's settings of one name (a dataset's noise, an optimizer's
// gradient noise) clash only when both snippets read them.
func Used(consts []Const, src string) []Const {
	var out []Const
	for _, c := range consts {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(c.Name) + `\b`).MatchString(src) {
			out = append(out, c)
		}
	}
	return out
}

// Step assembles the batch-optimization kernel: the surface's snippet
// (loss), the optimizer's (NSTATE and step), and the constants of both.
func Step(surface, optimizer string, dim, ndata int, consts []Const) (EvalSource, error) {
	if !strings.Contains(surface, "loss") || !strings.Contains(optimizer, "step") || !strings.Contains(optimizer, "NSTATE") {
		return EvalSource{}, fmt.Errorf("shaders: the surface snippet needs loss(), the optimizer's NSTATE and step()")
	}
	defs := fmt.Sprintf("#define LOCAL_X %d\n", StepLocalX)
	if HasGrad(surface) {
		defs += "#define LS_SURFACE_GRAD 1\n"
	}
	h, err := header(defs, dim, ndata, consts)
	if err != nil {
		return EvalSource{}, err
	}
	before, rest, ok := strings.Cut(stepTemplate, "//@SURFACE\n")
	_, after, ok2 := strings.Cut(rest, "//@OPTIMIZER\n")
	if !ok || !ok2 {
		return EvalSource{}, fmt.Errorf("shaders: step template has no snippet markers")
	}
	src := h + before
	next := strings.Count(src, "\n") + 1
	src += "#line 1\n" + strings.TrimRight(surface, "\n") + "\n"
	src += "#line " + strconv.Itoa(OptimizerLine+1) + "\n" + strings.TrimRight(optimizer, "\n") + "\n"
	resume := "#line " + strconv.Itoa(TemplateLine+next+2) + "\n"
	src += resume + gradGLSL + resume + after
	return EvalSource{Source: src}, nil
}

//go:embed mesh.vert.glsl
var meshVert string

//go:embed mesh.frag.glsl
var meshFrag string

// Mesh is the viewer's 3D surface program: vertex and fragment sources.
func Mesh() (vertex, fragment string) {
	const version = "#version 430 core\n"
	return version + colourGLSL + meshVert, version + colourGLSL + meshFrag
}

//go:embed text.vert.glsl
var textVert string

//go:embed text.frag.glsl
var textFrag string

// Text is the viewer's text program: glyph quads in pixels (origin
// top-left), coverage from an R8 atlas on texture unit 0, straight-alpha
// colour. GLSL 330, so text works on OpenGL 3.3 and 4.1 (macOS) too.
func Text() (vertex, fragment string) { return textVert, textFrag }

// CurvatureLocalX is the curvature kernel's work-group size.
const CurvatureLocalX = 64

// Curvature assembles the curvature kernel for a surface's snippet: at
// each grid point the loss, the gradient's norm and the plane Hessian (see
// shaders/curvature.comp.glsl), from the snippet's grad() when it defines
// one, else from differences of its loss().
func Curvature(snippet string, dim, ndata int, consts []Const) (EvalSource, error) {
	if !strings.Contains(snippet, "loss") {
		return EvalSource{}, fmt.Errorf("shaders: the snippet defines no loss()")
	}
	defs := fmt.Sprintf("#define LOCAL_X %d\n", CurvatureLocalX)
	if HasGrad(snippet) {
		defs += "#define LS_SURFACE_GRAD 1\n"
	}
	h, err := header(defs, dim, ndata, consts)
	if err != nil {
		return EvalSource{}, err
	}
	return assemble(h, curvatureTemplate, snippet, gradGLSL)
}

// HasGrad reports whether a surface's snippet defines its analytic
// gradient, void grad(out float g[DIM]).
func HasGrad(snippet string) bool { return gradRE.MatchString(snippet) }
