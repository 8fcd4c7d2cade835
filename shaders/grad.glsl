// ls_grad is the central-difference gradient of loss() at ls_x (the
// kernel's parameter array), with steps scaled to float32:
// h = 4e-3·max(1, |x_i|) (about ε^(1/3)). The step and curvature kernels
// include it after the surface's snippet.
void ls_grad(out float g[DIM]) {
	for (int i = 0; i < DIM; i++) {
		float xi = ls_x[i];
		float h = 4e-3 * max(1.0, abs(xi));
		ls_x[i] = xi + h;
		float fp = loss();
		ls_x[i] = xi - h;
		float fm = loss();
		ls_x[i] = xi;
		g[i] = (fp - fm) / (2.0 * h);
	}
}

// ls_loops_cut reports whether the driver has cut this invocation's
// loops short: llvmpipe counts the iterations of every loop of an
// invocation together and, past 65535, ends each loop after one pass of
// its body, so that a long kernel silently computes something else. A loop
// of ls_two (the host sets 2) passes that ran once says so. The step and
// curvature kernels call it last and raise their ls_cut flag.
uniform int ls_two;
bool ls_loops_cut() {
	int n = 0;
	for (int i = 0; i < ls_two; i++) n++;
	return n != ls_two;
}
