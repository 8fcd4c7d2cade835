package client

import (
	"math/rand/v2"

	"github.com/landscape-go/landscape/sdk/internal/seeds"
)

// BatchIndices is mini-batch k (k = 0, 1, ...) of a run seeded with seed
// over n samples in batches of size: each epoch is a fresh seeded shuffle
// of 0..n-1 cut into ⌈n/size⌉ batches, the last one shorter when size does
// not divide n (as torch's DataLoader with shuffle=True, drop_last=False).
// A size of 0 or at least n is the full batch, in order.
func BatchIndices(n, size int, seed uint64, k int) []int {
	if size <= 0 || size >= n {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	per := (n + size - 1) / size
	epoch, b := k/per, k%per
	perm := rand.New(rand.NewPCG(seed, seeds.Mix(seed, epoch))).Perm(n)
	lo, hi := b*size, min((b+1)*size, n)
	return perm[lo:hi]
}
