package gl

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/landscape-go/landscape/shaders"
)

// ErrCompile: a kernel failed to compile or link.
var ErrCompile = errors.New("gl: shader build failed")

// program is a linked compute program and its uniform locations.
type program struct {
	id       uint32
	uniforms map[string]int32
}

// Compile-log line formats: Mesa "1:3(12): error: ...", NVIDIA
// "1(3) : error C1008: ...", others "ERROR: 1:3: ...".
var logREs = []*regexp.Regexp{
	regexp.MustCompile(`^(\d+):(\d+)\(\d+\):\s*(.*)$`),
	regexp.MustCompile(`^(\d+)\((\d+)\)\s*:\s*(.*)$`),
	regexp.MustCompile(`^(?:ERROR|WARNING):\s*(\d+):(\d+):\s*(.*)$`),
}

// explainLog turns a compile log into one line naming what was built ("surface
// ripple", "viewer (fragment shader)") and the snippet's own line number, or
// the template's (see shaders.TemplateLine).
func explainLog(what string, log string) string {
	var errs []string
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		matched := false
		for _, re := range logREs {
			m := re.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			matched = true
			msg := strings.TrimSpace(m[3])
			if !strings.Contains(strings.ToLower(msg), "error") {
				break // warnings are not why it failed
			}
			line, _ := strconv.Atoi(m[2])
			where := "GLSL line " + m[2]
			switch {
			case line > shaders.TemplateLine:
				where = "kernel template line " + strconv.Itoa(line-shaders.TemplateLine)
			case line > shaders.OptimizerLine:
				where = "optimizer GLSL line " + strconv.Itoa(line-shaders.OptimizerLine)
			}
			errs = append(errs, where+": "+msg)
			break
		}
		if !matched && strings.Contains(strings.ToLower(l), "error") {
			errs = append(errs, l)
		}
	}
	if len(errs) == 0 {
		errs = []string{strings.Join(strings.Fields(log), " ")}
	}
	s := fmt.Sprintf("%s: %s", what, errs[0])
	if len(errs) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return s
}

var stageNames = map[uint32]string{gl43.VERTEX_SHADER: " (vertex shader)", gl43.FRAGMENT_SHADER: " (fragment shader)"}

// compileStage compiles one shader stage; on failure nothing is left
// allocated and the error names what and the line (explainLog).
func compileStage(name string, kind uint32, src string) (uint32, error) {
	sh := gl43.CreateShader(kind)
	if sh == 0 {
		return 0, fmt.Errorf("%w: %s: glCreateShader failed", ErrCompile, name)
	}
	csrc, free := gl43.Strs(src + "\x00")
	length := int32(len(src))
	gl43.ShaderSource(sh, 1, csrc, &length)
	free()
	gl43.CompileShader(sh)
	var ok int32
	gl43.GetShaderiv(sh, gl43.COMPILE_STATUS, &ok)
	if ok == gl43.FALSE {
		log := shaderLog(sh)
		gl43.DeleteShader(sh)
		return 0, fmt.Errorf("%w: %s", ErrCompile, explainLog(name+stageNames[kind], log))
	}
	return sh, nil
}

// link compiles the stages (kind → source) into a program and looks up the
// uniforms. On failure nothing is left allocated. GL thread.
func (c *Context) link(name string, stages [][2]any, uniforms []string) (*program, error) {
	p, err := link(name, stages, uniforms)
	if err == nil {
		if err = c.check("build program"); err != nil {
			p.delete()
			return nil, err
		}
	}
	return p, err
}

func link(name string, stages [][2]any, uniforms []string) (*program, error) {
	var shaders []uint32
	defer func() {
		for _, sh := range shaders {
			gl43.DeleteShader(sh) // flagged; freed with the program
		}
	}()
	for _, st := range stages {
		sh, err := compileStage(name, st[0].(uint32), st[1].(string))
		if err != nil {
			return nil, err
		}
		shaders = append(shaders, sh)
	}
	p := gl43.CreateProgram()
	for _, sh := range shaders {
		gl43.AttachShader(p, sh)
	}
	gl43.LinkProgram(p)
	var ok int32
	gl43.GetProgramiv(p, gl43.LINK_STATUS, &ok)
	if ok == gl43.FALSE {
		log := programLog(p)
		gl43.DeleteProgram(p)
		return nil, fmt.Errorf("%w: %s", ErrCompile, explainLog(name, log))
	}
	for _, sh := range shaders {
		gl43.DetachShader(p, sh)
	}
	pr := &program{id: p, uniforms: map[string]int32{}}
	for _, u := range uniforms {
		pr.uniforms[u] = gl43.GetUniformLocation(p, gl43.Str(u+"\x00"))
	}
	return pr, nil
}

// buildProgram compiles and links a compute shader. GL thread.
func (c *Context) buildProgram(name, src string, uniforms []string) (*program, error) {
	return c.link(name, [][2]any{{uint32(gl43.COMPUTE_SHADER), src}}, uniforms)
}

// DrawProgram is a linked vertex and fragment program, drawn with in a
// Pass (Pass.Use, then its uniform setters).
type DrawProgram struct {
	id       uint32
	uniforms map[string]int32
}

// BuildDrawProgram compiles and links a vertex and a fragment shader, on
// the GL thread of whatever context is current (inside Context.Do); Delete
// it there too. Errors wrap ErrCompile and name what and the stage; on
// error nothing is left allocated.
func BuildDrawProgram(what, vertex, fragment string) (*DrawProgram, error) {
	p, err := link(what, [][2]any{{uint32(gl43.VERTEX_SHADER), vertex}, {uint32(gl43.FRAGMENT_SHADER), fragment}}, nil)
	if err != nil {
		return nil, err
	}
	if err := glErr("build program " + what); err != nil {
		p.delete()
		return nil, err
	}
	return &DrawProgram{id: p.id, uniforms: p.uniforms}, nil
}

// location is a uniform's location, looked up once (-1 when the program
// has no such uniform: GL ignores it).
func (p *DrawProgram) location(name string) int32 {
	loc, ok := p.uniforms[name]
	if !ok {
		loc = gl43.GetUniformLocation(p.id, gl43.Str(name+"\x00"))
		p.uniforms[name] = loc
	}
	return loc
}

// Delete frees the program; later calls do nothing. GL thread.
func (p *DrawProgram) Delete() {
	if p != nil && p.id != 0 {
		gl43.DeleteProgram(p.id)
		p.id = 0
	}
}

func shaderLog(sh uint32) string { return infoLog(sh, gl43.GetShaderiv, gl43.GetShaderInfoLog) }

func programLog(p uint32) string { return infoLog(p, gl43.GetProgramiv, gl43.GetProgramInfoLog) }

// infoLog reads a shader's or program's info log with its getters.
func infoLog(obj uint32, get func(uint32, uint32, *int32), read func(uint32, int32, *int32, *uint8)) string {
	var n int32
	get(obj, gl43.INFO_LOG_LENGTH, &n)
	if n <= 1 {
		return "(no log)"
	}
	b := make([]byte, n)
	read(obj, n, nil, &b[0])
	return strings.TrimRight(string(b), "\x00")
}

func (p *program) delete() { gl43.DeleteProgram(p.id) }
