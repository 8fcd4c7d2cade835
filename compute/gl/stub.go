package gl

/*
// lsMissing stands in for GL functions the driver lacks (an OpenGL 4.1
// context has no compute functions): go-gl's loader stops at the first nil
// pointer, leaving every later function unloaded. Code that checks
// Info.Compute never calls the stand-ins.
static void lsMissing(void) {}
static void *lsMissingPtr(void) { return (void *)lsMissing; }
*/
import "C"

import "unsafe"

// orStub wraps a GetProcAddress: a function the driver lacks gets a
// harmless stand-in, so that loading goes on to the ones it has.
func orStub(proc func(string) unsafe.Pointer) func(string) unsafe.Pointer {
	return func(name string) unsafe.Pointer {
		if p := proc(name); p != nil {
			return p
		}
		return C.lsMissingPtr()
	}
}
