#version 430 core
// Min and max of ls_n floats (NaN skipped) by atomics on order-preserving
// unsigned keys: a float's bits, sign-flipped so that unsigned order is
// numeric order. ls_mm[0] must start at 0xffffffff, ls_mm[1] at 0.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer LsIn { float ls_v[]; };
layout(std430, binding = 4) buffer LsMM { uint ls_mm[]; };
uniform uint ls_n;

uint ls_key(float f) {
	uint u = floatBitsToUint(f);
	return (u & 0x80000000u) != 0u ? ~u : (u | 0x80000000u);
}

void main() {
	uint k = gl_GlobalInvocationID.x;
	if (k >= ls_n) return;
	float f = ls_v[k];
	if (isnan(f) || isinf(f)) return;
	atomicMin(ls_mm[0], ls_key(f));
	atomicMax(ls_mm[1], ls_key(f));
}
