//go:build !linux

package host

// PeakRSS is 0 where the peak resident memory is not measured (Linux only).
func PeakRSS() int64 { return 0 }
