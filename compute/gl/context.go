package gl

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	gl43 "github.com/go-gl/gl/v4.3-core/gl"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// ErrUnavailable: no OpenGL 4.3 context with compute shaders could be made.
var ErrUnavailable = errors.New("gl: OpenGL 4.3 unavailable")

// Options choose how a Context is made; the zero value tries EGL headless
// platforms first, then a GLFW invisible window.
type Options struct {
	// Platform is "" (auto), "egl" (any EGL platform), "egl-device",
	// "egl-surfaceless", "egl-default" or "glfw".
	Platform string
	// Debug checks glGetError after every call (also LANDSCAPE_GL_DEBUG=1).
	Debug bool
	// Window, when set, makes the context a GLFW window's (the viewer's);
	// Platform is then ignored.
	Window *WindowOptions
}

// WindowOptions describe a viewer window.
type WindowOptions struct {
	Width, Height int
	Title         string
	// Hidden keeps the window invisible (scripted runs, screenshots).
	Hidden bool
}

// Info describes a context.
type Info struct {
	// Platform is what made the context: "egl-device" (a GPU's EGL
	// device), "egl-device (Mesa's software device)" (Mesa lists its
	// software renderer as a device), "egl-surfaceless", "egl-default"
	// or "glfw".
	Platform                        string
	Version, Renderer, Vendor, GLSL string
	// Compute limits.
	MaxWorkGroupCount       [3]int
	MaxWorkGroupSize        [3]int
	MaxWorkGroupInvocations int
	MaxSSBOSize             int64
	MaxSSBOBindings         int
	// Parallel estimates how many invocations the device runs at once:
	// NVIDIA's SMs × warps per SM × warp size (GL_NV_shader_thread_group),
	// a software renderer's threads × 8 SIMD lanes, else 65536. Kernels
	// that split a point's work among invocations size the split by it.
	Parallel int
	// Software is set for a CPU renderer (Mesa's llvmpipe or softpipe).
	Software bool
	// Compute is false for a window's context below OpenGL 4.3 (macOS's
	// 4.1): no compute shaders or storage buffers; the viewer then draws
	// grids evaluated on the CPU. Headless contexts always have them.
	Compute bool
}

// Context owns one OpenGL context and the OS thread that makes every call
// on it: a thread of its own for EGL, the main thread for GLFW when Main
// serves it (see Main).
type Context struct {
	window *glfw.Window
	th     *thread
	info   Info
	debug  bool
	// debugOpt: made with Options.Debug, which turns on the drawing
	// helpers' checks too while the context lives.
	debugOpt bool
	closeFn  func()

	mu     sync.Mutex
	closed bool
}

// New makes a context. It fails with ErrUnavailable (wrapped, with every
// platform's reason) when none can be made.
func New(o Options) (*Context, error) {
	c := &Context{debug: o.Debug || os.Getenv("LANDSCAPE_GL_DEBUG") == "1"}
	var err error
	if o.Window != nil {
		err = c.start(glfwThread(), func() error { return c.openWindow(*o.Window, false) })
	} else {
		err = c.open(o.Platform)
	}
	if err != nil {
		return nil, err
	}
	if o.Debug {
		debugContexts.Add(1)
	}
	c.debugOpt = o.Debug
	return c, nil
}

// start runs open on t; on success t becomes the context's thread, on
// failure a dedicated t ends.
func (c *Context) start(t *thread, open func() error) error {
	var err error
	if rerr := t.run(func() { err = open() }); rerr != nil {
		err = fmt.Errorf("%w: %w", ErrUnavailable, rerr)
	}
	if err != nil {
		t.stop()
		return err
	}
	c.th = t
	return nil
}

// open makes a headless context: EGL on a thread of its own, or a GLFW
// invisible window on GLFW's thread.
func (c *Context) open(platform string) error {
	var why []string
	if platform == "" || strings.HasPrefix(platform, "egl") {
		p := platform
		if p == "" {
			p = "egl"
		}
		err := c.start(newThread(), func() error {
			e, name, err := openEGL(p)
			if err == nil {
				if err = c.initGL(name, e.procAddr, true); err == nil {
					c.closeFn = e.close
					return nil
				}
				e.close()
			}
			return err
		})
		if err == nil {
			return nil
		}
		why = append(why, "EGL: "+strings.TrimPrefix(err.Error(), "gl: "))
	}
	if platform == "" || platform == "glfw" {
		err := c.start(glfwThread(), c.openGLFW)
		if err == nil {
			return nil
		}
		why = append(why, strings.TrimPrefix(err.Error(), ErrUnavailable.Error()+": "))
	}
	if len(why) == 0 {
		return fmt.Errorf("gl: unknown platform %q (accepted: egl, egl-device, egl-surfaceless, egl-default, glfw)", platform)
	}
	return fmt.Errorf("%w: %s", ErrUnavailable, strings.Join(why, "; "))
}

func (c *Context) openGLFW() (err error) {
	return c.openWindow(WindowOptions{Width: 64, Height: 64, Title: "landscape", Hidden: true}, true)
}

// openWindow makes a GLFW window's OpenGL 4.3 core context current here;
// without needCompute it settles for 4.1 (a viewer on macOS).
func (c *Context) openWindow(wo WindowOptions, needCompute bool) (err error) {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("%w: GLFW: no display (DISPLAY is not set)", ErrUnavailable)
	}
	// go-gl's Init logs a platform error (a display it cannot open) and
	// returns nil; the next call then panics with NotInitialized. That
	// panic is this error.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: GLFW: %v", ErrUnavailable, p)
		}
	}()
	if err := glfw.Init(); err != nil {
		return fmt.Errorf("%w: GLFW: %v", ErrUnavailable, firstLine(err.Error()))
	}
	vis := glfw.True
	if wo.Hidden {
		vis = glfw.False
	}
	glfw.WindowHint(glfw.Visible, vis)
	glfw.WindowHint(glfw.Resizable, glfw.True)
	glfw.WindowHint(glfw.ContextVersionMajor, 4)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	w, err := glfw.CreateWindow(max(wo.Width, 1), max(wo.Height, 1), wo.Title, nil, nil)
	if err != nil && !needCompute {
		// No 4.3: a viewer window can still draw with 4.1 (macOS's most).
		glfw.WindowHint(glfw.ContextVersionMinor, 1)
		w, err = glfw.CreateWindow(max(wo.Width, 1), max(wo.Height, 1), wo.Title, nil, nil)
	}
	if err != nil {
		glfw.Terminate()
		return fmt.Errorf("%w: GLFW: %v", ErrUnavailable, firstLine(err.Error()))
	}
	w.MakeContextCurrent()
	c.window = w
	if err := c.initGL("glfw", func(name string) unsafe.Pointer { return glfw.GetProcAddress(name) }, needCompute); err != nil {
		w.Destroy()
		glfw.Terminate()
		return err
	}
	c.closeFn = func() { w.Destroy(); glfw.Terminate() }
	return nil
}

// Window is the context's GLFW window (nil for headless contexts). Use it
// only on the GL thread, inside Do.
func (c *Context) Window() *glfw.Window { return c.window }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// initGL loads the GL functions and checks the version: 4.3 (compute
// shaders) when needCompute, else at least 3.3 (a viewer window).
func (c *Context) initGL(platform string, proc func(string) unsafe.Pointer, needCompute bool) error {
	if err := gl43.InitWithProcAddrFunc(orStub(proc)); err != nil {
		return fmt.Errorf("gl: loading functions: %v", err)
	}
	var major, minor int32
	gl43.GetIntegerv(gl43.MAJOR_VERSION, &major)
	gl43.GetIntegerv(gl43.MINOR_VERSION, &minor)
	compute := major > 4 || major == 4 && minor >= 3
	if !compute && (needCompute || major < 3 || major == 3 && minor < 3) {
		return fmt.Errorf("gl: OpenGL %d.%d has no compute shaders (4.3 needed)", major, minor)
	}
	if !compute {
		c.info = Info{Platform: platform, Version: gl43.GoStr(gl43.GetString(gl43.VERSION)),
			Renderer: gl43.GoStr(gl43.GetString(gl43.RENDERER)), Vendor: gl43.GoStr(gl43.GetString(gl43.VENDOR)),
			GLSL: gl43.GoStr(gl43.GetString(gl43.SHADING_LANGUAGE_VERSION))}
		return nil
	}
	i := Info{
		Platform: platform,
		Version:  gl43.GoStr(gl43.GetString(gl43.VERSION)),
		Renderer: gl43.GoStr(gl43.GetString(gl43.RENDERER)),
		Vendor:   gl43.GoStr(gl43.GetString(gl43.VENDOR)),
		GLSL:     gl43.GoStr(gl43.GetString(gl43.SHADING_LANGUAGE_VERSION)),
	}
	for k := uint32(0); k < 3; k++ {
		var n int32
		gl43.GetIntegeri_v(gl43.MAX_COMPUTE_WORK_GROUP_COUNT, k, &n)
		i.MaxWorkGroupCount[k] = int(uint32(n))
		gl43.GetIntegeri_v(gl43.MAX_COMPUTE_WORK_GROUP_SIZE, k, &n)
		i.MaxWorkGroupSize[k] = int(n)
	}
	var n int32
	gl43.GetIntegerv(gl43.MAX_COMPUTE_WORK_GROUP_INVOCATIONS, &n)
	i.MaxWorkGroupInvocations = int(n)
	var s int64
	gl43.GetInteger64v(gl43.MAX_SHADER_STORAGE_BLOCK_SIZE, &s)
	i.MaxSSBOSize = s
	gl43.GetIntegerv(gl43.MAX_SHADER_STORAGE_BUFFER_BINDINGS, &n)
	i.MaxSSBOBindings = int(n)
	i.Software, i.Parallel = parallelism(i.Renderer)
	i.Compute = true
	c.info = i
	return nil
}

// Info describes the context.
func (c *Context) Info() Info { return c.info }

// GL_NV_shader_thread_group's queries.
const (
	glWarpSizeNV    = 0x9339
	glWarpsPerSMNV  = 0x933A
	glSMCountNV     = 0x933B
	nvThreadGroupEx = "GL_NV_shader_thread_group"
)

// parallelism is whether renderer is a software one and how many
// invocations the device runs at once (see Info.Parallel). GL thread.
func parallelism(renderer string) (software bool, n int) {
	r := strings.ToLower(renderer)
	if strings.Contains(r, "llvmpipe") || strings.Contains(r, "softpipe") {
		threads := runtime.NumCPU()
		if v, err := strconv.Atoi(os.Getenv("LP_NUM_THREADS")); err == nil && v > 0 {
			threads = v
		}
		return true, 8 * threads
	}
	if hasExtension(nvThreadGroupEx) {
		var warp, warps, sms int32
		gl43.GetIntegerv(glWarpSizeNV, &warp)
		gl43.GetIntegerv(glWarpsPerSMNV, &warps)
		gl43.GetIntegerv(glSMCountNV, &sms)
		if warp > 0 && warps > 0 && sms > 0 {
			return false, int(warp) * int(warps) * int(sms)
		}
	}
	return false, 65536
}

// hasExtension reports whether the context offers the extension name.
// GL thread.
func hasExtension(name string) bool {
	var n int32
	gl43.GetIntegerv(gl43.NUM_EXTENSIONS, &n)
	for k := int32(0); k < n; k++ {
		if gl43.GoStr(gl43.GetStringi(gl43.EXTENSIONS, uint32(k))) == name {
			return true
		}
	}
	return false
}

// ErrClosed: the context was closed.
var ErrClosed = errors.New("gl: context closed")

// Do runs f on the GL thread and waits for it. f must not call Do (nor
// New for a GLFW context while Main serves: both would wait for the thread
// f holds).
func (c *Context) Do(f func() error) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	errc := make(chan error, 1)
	err := c.th.submit(func() {
		defer func() {
			if r := recover(); r != nil {
				errc <- fmt.Errorf("gl: panic on the GL thread: %v", r)
			}
		}()
		errc <- f()
	})
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return <-errc
}

// Close destroys the context, once the calls already handed to its thread
// have run, and ends its thread (unless that is the main thread).
func (c *Context) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	fin := make(chan struct{})
	err := c.th.submit(func() {
		defer close(fin)
		if c.closeFn != nil {
			c.closeFn()
		}
	})
	c.mu.Unlock()
	if err == nil {
		<-fin
	}
	c.th.stop()
	if c.debugOpt {
		debugContexts.Add(-1)
	}
}

// debugContexts counts the open contexts made with Options.Debug, which
// turn on the drawing helpers' checks too.
var debugContexts atomic.Int32

// debugging: the drawing helpers check glGetError after their calls.
func debugging() bool {
	return debugContexts.Load() > 0 || os.Getenv("LANDSCAPE_GL_DEBUG") == "1"
}

// check returns the first pending GL error after op, when debugging.
func (c *Context) check(op string) error {
	if !c.debug {
		return nil
	}
	if e := gl43.GetError(); e != gl43.NO_ERROR {
		return fmt.Errorf("gl: %s: GL error 0x%x", op, e)
	}
	return nil
}
