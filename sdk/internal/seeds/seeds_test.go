package seeds

import "testing"

func TestMix(t *testing.T) {
	seen := map[uint64]bool{}
	for i := 0; i < 1000; i++ {
		s := Mix(42, i)
		if seen[s] {
			t.Fatalf("seed repeated at run %d", i)
		}
		seen[s] = true
	}
	if Mix(1, 0) == Mix(2, 0) {
		t.Error("seeds ignore the batch seed")
	}
}
