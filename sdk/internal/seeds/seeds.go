package seeds

// Mix is the seed of item i under seed: distinct, well mixed seeds
// (splitmix64) so that runs and epochs are independent.
func Mix(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
