// How the viewer colours values, shared by its 2D and 3D programs (both
// stages): the colour range, the log switch and the colormap table, and
// the functions that use them. shaders.go places this after the version
// line.
uniform float ls_lo, ls_hi;
uniform int ls_log;
uniform vec3 ls_cmap[32];

// cmap is the colormap at t in [0, 1] (32 samples, linearly interpolated).
vec3 cmap(float t) {
	t = clamp(t, 0.0, 1.0) * 31.0;
	int i = int(floor(t));
	int j = min(i + 1, 31);
	return mix(ls_cmap[i], ls_cmap[j], t - float(i));
}

// scaled maps a value into [0, 1] over the colour range, linearly or as
// log10(v − lo + ε) with ε a millionth of the range.
float scaled(float v) {
	float span = max(ls_hi - ls_lo, 1e-30);
	if (ls_log == 1) {
		float eps = span * 1e-6;
		return (log(max(v - ls_lo, 0.0) + eps) - log(eps)) / (log(span + eps) - log(eps));
	}
	return (v - ls_lo) / span;
}
