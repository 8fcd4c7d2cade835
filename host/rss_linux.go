package host

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// PeakRSS is this process's peak resident memory in bytes (VmHWM), or 0
// when it cannot be read. It counts this process's own memory since its
// program started (a process started from a large one is not charged with
// that one's pages, as its rusage is on Linux), not its plugins'.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
