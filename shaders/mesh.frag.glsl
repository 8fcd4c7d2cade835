// The viewer's 3D surface: colormap colour, lit by ambient light, Lambert
// diffuse from a fixed light and a little Blinn-Phong specular. Triangles
// touching an undefined (NaN) sample are discarded; the box's edges are
// drawn flat.
uniform vec3 ls_eye;    // camera position, world space
uniform vec3 ls_light;  // direction towards the light, world space, unit
uniform int ls_box;
uniform vec3 ls_ink;    // the box's colour
in vec3 ls_pos;
in vec3 ls_normal;
in float ls_t;
in float ls_ok;
out vec4 ls_color;

void main() {
	if (ls_box == 1) {
		ls_color = vec4(ls_ink, 1.0);
		return;
	}
	// ls_ok interpolates below 1 inside every triangle with a NaN corner.
	if (ls_ok < 0.9999) {
		discard;
	}
	vec3 n = normalize(ls_normal);
	vec3 v = normalize(ls_eye - ls_pos);
	if (dot(n, v) < 0.0) {
		n = -n; // the underside: light it as a surface facing the camera
	}
	vec3 c = cmap(ls_t);
	float diffuse = max(dot(n, ls_light), 0.0);
	vec3 hv = normalize(ls_light + v);
	float spec = pow(max(dot(n, hv), 0.0), 48.0) * step(0.0, dot(n, ls_light));
	vec3 lit = c * (0.32 + 0.68 * diffuse) + vec3(0.22 * spec);
	ls_color = vec4(min(lit, vec3(1.0)), 1.0);
}
