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
