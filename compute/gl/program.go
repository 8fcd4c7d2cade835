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

// explainLog turns a compile log into one line naming the surface and the
// snippet's own line number, or the template's (see shaders.TemplateLine).
func explainLog(name string, log string) string {
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
	s := fmt.Sprintf("surface %s: %s", name, errs[0])
	if len(errs) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return s
}

// buildProgram compiles and links a compute shader. On failure nothing is
// left allocated. Call on the GL thread.
func (c *Context) buildProgram(name, src string, uniforms []string) (*program, error) {
	sh := gl43.CreateShader(gl43.COMPUTE_SHADER)
	if sh == 0 {
		return nil, fmt.Errorf("%w: surface %s: glCreateShader failed", ErrCompile, name)
	}
	defer gl43.DeleteShader(sh) // flagged; freed with the program
	csrc, free := gl43.Strs(src + "\x00")
	length := int32(len(src))
	gl43.ShaderSource(sh, 1, csrc, &length)
	free()
	gl43.CompileShader(sh)
	var ok int32
	gl43.GetShaderiv(sh, gl43.COMPILE_STATUS, &ok)
	if ok == gl43.FALSE {
		return nil, fmt.Errorf("%w: %s", ErrCompile, explainLog(name, shaderLog(sh)))
	}
	p := gl43.CreateProgram()
	gl43.AttachShader(p, sh)
	gl43.LinkProgram(p)
	gl43.GetProgramiv(p, gl43.LINK_STATUS, &ok)
	if ok == gl43.FALSE {
		log := programLog(p)
		gl43.DeleteProgram(p)
		return nil, fmt.Errorf("%w: %s", ErrCompile, explainLog(name, log))
	}
	pr := &program{id: p, uniforms: map[string]int32{}}
	for _, u := range uniforms {
		pr.uniforms[u] = gl43.GetUniformLocation(p, gl43.Str(u+"\x00"))
	}
	if err := c.check("build program"); err != nil {
		gl43.DeleteProgram(p)
		return nil, err
	}
	return pr, nil
}

func shaderLog(sh uint32) string {
	var n int32
	gl43.GetShaderiv(sh, gl43.INFO_LOG_LENGTH, &n)
	if n <= 1 {
		return "(no log)"
	}
	b := make([]byte, n)
	gl43.GetShaderInfoLog(sh, n, nil, &b[0])
	return strings.TrimRight(string(b), "\x00")
}

func programLog(p uint32) string {
	var n int32
	gl43.GetProgramiv(p, gl43.INFO_LOG_LENGTH, &n)
	if n <= 1 {
		return "(no log)"
	}
	b := make([]byte, n)
	gl43.GetProgramInfoLog(p, n, nil, &b[0])
	return strings.TrimRight(string(b), "\x00")
}

func (p *program) delete() { gl43.DeleteProgram(p.id) }
