package host

import (
	"fmt"
	"io"
)

// The memory a command holds, estimated before the work starts so that
// --max-memory (SceneSpec.MaxBytes) counts what the command will really
// hold, not the grid alone. The figures are upper bounds of peak resident
// memory measured above the program's own (docs/benchmarks.md, "Memory"):
// the host's garbage collector lets the heap grow past what is live, and
// the estimates include that.
const (
	// tileBytes bounds the buffer a grid passes through on its way in:
	// the GPU's read-back buffer (gl.ReadTileBytes, 32 MiB, in host
	// memory on a software renderer) or a tile of the shared file
	// (compute.CPU's, in /dev/shm).
	tileBytes = 256 << 20
	// renderPerPoint is what drawing a grid (heatmap, contours) holds per
	// point beside the grid itself: the heatmap reads the grid in place,
	// and this bounds the collector's slack (measured above a tiny grid's
	// render: 12 MiB at 1024², under 1 B/point at 4096²). And
	// imagePerPixel per pixel of the image.
	renderPerPoint = 6
	imagePerPixel  = 8
	// Basins hold per run its start and end point and label, and what
	// stepping it takes: on the GPU a few float32 buffers, through the
	// plugins the batch's requests and answers and the engine's state.
	basinsGPUPerRun = 64
	basinsCPUPerRun = 512 // times dim+1
)

// Workload is what a command does with a scene's grid besides holding it,
// for its memory estimate.
type Workload struct {
	// ImageW×ImageH is an image drawn from the grid (render, compare);
	// zero when none is.
	ImageW, ImageH int
	// Test evaluates the test loss on the grid too, when the surface has a
	// test set.
	Test bool
	// Maps is the number of other maps of the grid held beside the loss
	// (a curvature quantity's, say).
	Maps int
	// Runs starts an optimizer run from every grid point instead of
	// evaluating the grid (basins); the image, if any, is of their labels.
	Runs bool
	// Backend is where the runs step: through the plugins (BackendCPU) or
	// on the GPU; auto counts the GPU's, and Basins checks the one it takes.
	Backend Backend
}

// sceneBytes is the memory of the work w on an nx×ny grid of a surface of
// dim parameters (0 before it is known) with a test set when test.
func sceneBytes(nx, ny int, w Workload, test bool, dim int) int64 {
	n := int64(nx) * int64(ny)
	var b int64
	switch {
	case w.Runs:
		b = basinsBytes(int(n), max(dim, 1), w.Backend != BackendCPU)
	default:
		b = 4*n*int64(1+w.Maps) + min(4*n, tileBytes)
		if test {
			b += 4 * n
		}
		if w.ImageW > 0 && w.ImageH > 0 {
			b += renderPerPoint * n
		}
	}
	if w.ImageW > 0 && w.ImageH > 0 {
		b += imagePerPixel * int64(w.ImageW) * int64(w.ImageH)
	}
	return b
}

// basinsBytes is the memory of n runs in dim dimensions on the GPU or
// through the plugins.
func basinsBytes(n, dim int, gpu bool) int64 {
	per := int64(24*dim + 4)
	if gpu {
		per += basinsGPUPerRun
	} else {
		per += basinsCPUPerRun * int64(dim+1)
	}
	return int64(n) * per
}

// budget is b, or DefaultMaxBytes for 0.
func budget(b int64) int64 {
	if b <= 0 {
		return DefaultMaxBytes
	}
	return b
}

// tooLarge is the error of work that needs more than the budget.
func tooLarge(input, what string, need, budget int64) error {
	return &InputError{Input: input, Err: ErrTooLarge,
		Msg: fmt.Sprintf("%s needs about %s, over the %s memory budget", what, FormatBytes(need), FormatBytes(budget))}
}

// AnnounceBytes is the size above which an output is announced before it
// is written.
const AnnounceBytes = 1 << 30

// Announce says on w, before an output of about n bytes is written to
// path, how large it will be, when that is AnnounceBytes or more.
func Announce(w io.Writer, path string, n int64) {
	if n >= AnnounceBytes {
		fmt.Fprintf(w, "landscape: writing %s, about %s\n", path, FormatBytes(n))
	}
}

// GridBytes is about the size of a grid of n points written as format
// (GridFormats) with extra arrays besides the loss.
func GridBytes(format string, nx, ny, extra int) int64 {
	n := int64(nx) * int64(ny)
	e := int64(extra)
	switch format {
	case ".npy":
		return 4*n + 128
	case ".npz":
		return 4*n*(1+e) + 8*int64(nx+ny) + 1024
	case ".csv":
		return n * (50 + 14*e)
	case ".vts":
		return n * (4*(1+e) + 40) * 4 / 3
	}
	return 4 * n
}
