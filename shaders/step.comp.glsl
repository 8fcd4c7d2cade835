// landscape's batch-optimization kernel: every invocation owns one run and
// takes ls_steps steps of the optimizer's step() with the surface's
// gradient (its grad() when the snippet defines one, else central
// differences of its loss()), then stores the run's point,
// state and loss. The host assembles: the version line, its #defines (DIM,
// NDATA, LOCAL_X) and the hyperparameter constants of both snippets; this
// file up to the surface marker; the surface's snippet (lines from 1); the
// optimizer's snippet (lines from OptimizerLine+1); then the rest.

layout(local_size_x = LOCAL_X) in;

layout(std430, binding = 0) buffer LsX { float ls_xs[]; };     // runs*DIM
layout(std430, binding = 1) buffer LsS { float ls_ss[]; };     // runs*(NSTATE+1)
layout(std430, binding = 2) readonly buffer LsData { float ls_data[]; };
layout(std430, binding = 3) writeonly buffer LsF { float ls_f[]; }; // runs
layout(std430, binding = 4) buffer LsCut { uint ls_cut; };           // ls_loops_cut

uniform uint ls_runs;  // runs in the buffers
uniform uint ls_run0;  // first run of this dispatch
uniform int ls_t0;     // steps already taken
uniform int ls_steps;  // steps to take now

float ls_x[DIM];
#define P(i) ls_x[(i)]
#define DATA(i) ls_data[(i)]

//@SURFACE
//@OPTIMIZER


void main() {
	uint r = gl_GlobalInvocationID.x + ls_run0;
	uint q = min(r, ls_runs - 1u);
	for (int i = 0; i < DIM; i++) ls_x[i] = ls_xs[q * uint(DIM) + uint(i)];
	float s[NSTATE + 1];
	for (int k = 0; k < NSTATE + 1; k++) s[k] = ls_ss[q * uint(NSTATE + 1) + uint(k)];
	for (int k = 0; k < ls_steps; k++) {
		float g[DIM];
#ifdef LS_SURFACE_GRAD
		grad(g); // the surface's analytic gradient
#else
		ls_grad(g);
#endif
		step(ls_x, g, s, ls_t0 + k + 1);
	}
	float f = loss();
	if (ls_loops_cut()) atomicOr(ls_cut, 1u);
	if (r < ls_runs) {
		for (int i = 0; i < DIM; i++) ls_xs[r * uint(DIM) + uint(i)] = ls_x[i];
		for (int k = 0; k < NSTATE + 1; k++) ls_ss[r * uint(NSTATE + 1) + uint(k)] = s[k];
		ls_f[r] = (isnan(f) || isinf(f)) ? uintBitsToFloat(0x7fc00000u) : f;
	}
}
