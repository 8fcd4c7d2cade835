//go:build linux

package gl

/*
#cgo pkg-config: egl
#include <stdlib.h>
#include <string.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

// lsEGL holds one headless EGL context.
typedef struct {
	EGLDisplay dpy;
	EGLContext ctx;
	const char *platform;
} lsEGL;

static PFNEGLGETPLATFORMDISPLAYEXTPROC getPlatformDisplay(void) {
	return (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
}

// lsTryDisplay initialises dpy and makes a core 4.3 context current without
// a surface. It returns 0 on success, else the EGL error.
static EGLint lsTryDisplay(lsEGL *e, EGLDisplay dpy) {
	EGLint major, minor;
	if (dpy == EGL_NO_DISPLAY) return EGL_BAD_DISPLAY;
	if (!eglInitialize(dpy, &major, &minor)) return eglGetError();
	if (!eglBindAPI(EGL_OPENGL_API)) { EGLint err = eglGetError(); eglTerminate(dpy); return err; }
	EGLint cfgAttr[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE };
	EGLConfig cfg = NULL;
	EGLint n = 0;
	if (!eglChooseConfig(dpy, cfgAttr, &cfg, 1, &n) || n < 1) {
		// EGL_KHR_no_config_context: a context needs no config when it draws nowhere.
		cfg = EGL_NO_CONFIG_KHR;
	}
	EGLint ctxAttr[] = {
		EGL_CONTEXT_MAJOR_VERSION, 4, EGL_CONTEXT_MINOR_VERSION, 3,
		EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE };
	EGLContext ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, ctxAttr);
	if (ctx == EGL_NO_CONTEXT) { EGLint err = eglGetError(); eglTerminate(dpy); return err; }
	if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx)) {
		EGLint err = eglGetError(); eglDestroyContext(dpy, ctx); eglTerminate(dpy); return err;
	}
	e->dpy = dpy; e->ctx = ctx;
	return 0;
}

// lsOpen tries, in order: each EGL device (NVIDIA's headless path, and Mesa's
// devices), Mesa's surfaceless platform, and the default display. It
// returns 0 or the last EGL error.
static EGLint lsOpen(lsEGL *e, int wantPlatform) {
	EGLint err = EGL_NOT_INITIALIZED;
	PFNEGLGETPLATFORMDISPLAYEXTPROC gpd = getPlatformDisplay();
	if (gpd && (wantPlatform == 0 || wantPlatform == 1)) {
		PFNEGLQUERYDEVICESEXTPROC qd = (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
		if (qd) {
			EGLDeviceEXT devs[16];
			EGLint n = 0;
			if (qd(16, devs, &n)) {
				PFNEGLQUERYDEVICESTRINGEXTPROC qs = (PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress("eglQueryDeviceStringEXT");
				for (EGLint i = 0; i < n; i++) {
					err = lsTryDisplay(e, gpd(EGL_PLATFORM_DEVICE_EXT, devs[i], NULL));
					if (err == 0) {
						// Mesa lists its software renderer (llvmpipe) as a
						// device too: say so, rather than pass it off as a GPU.
						const char *ext = qs ? qs(devs[i], EGL_EXTENSIONS) : NULL;
						e->platform = ext && strstr(ext, "EGL_MESA_device_software") ? "egl-device (Mesa's software device)" : "egl-device";
						return 0;
					}
				}
			}
		}
	}
	if (gpd && (wantPlatform == 0 || wantPlatform == 2)) {
		err = lsTryDisplay(e, gpd(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL));
		if (err == 0) { e->platform = "egl-surfaceless"; return 0; }
	}
	if (wantPlatform == 0 || wantPlatform == 3) {
		err = lsTryDisplay(e, eglGetDisplay(EGL_DEFAULT_DISPLAY));
		if (err == 0) { e->platform = "egl-default"; return 0; }
	}
	return err;
}

static void lsClose(lsEGL *e) {
	eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(e->dpy, e->ctx);
	eglTerminate(e->dpy);
}

static void *lsProc(const char *name) { return (void *)eglGetProcAddress(name); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// eglContext is a headless EGL context, current on the calling thread.
type eglContext struct {
	e C.lsEGL
}

var eglPlatforms = map[string]C.int{"egl": 0, "egl-device": 1, "egl-surfaceless": 2, "egl-default": 3}

// openEGL makes a headless OpenGL 4.3 core context current on this thread.
func openEGL(platform string) (*eglContext, string, error) {
	want, ok := eglPlatforms[platform]
	if !ok {
		return nil, "", fmt.Errorf("gl: unknown EGL platform %q", platform)
	}
	c := &eglContext{}
	if err := C.lsOpen(&c.e, want); err != 0 {
		return nil, "", fmt.Errorf("gl: no EGL OpenGL 4.3 core context (EGL error 0x%x)", int(err))
	}
	return c, C.GoString(c.e.platform), nil
}

func (c *eglContext) procAddr(name string) unsafe.Pointer {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return C.lsProc(cs)
}

func (c *eglContext) close() { C.lsClose(&c.e) }
