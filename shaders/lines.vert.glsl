#version 330 core
// The viewer's lines and points (optimizer paths, ticks): with ls_world 0
// (the default), in framebuffer pixels over an ls_viewport-sized
// framebuffer; with ls_world 1, in the 3D view's world space, seen through
// ls_mvp and moved ls_lift world units towards the eye at ls_eye, so that a
// path lying on the surface is drawn over it rather than into it.
layout(location = 0) in vec3 ls_pos;
uniform vec2 ls_viewport;
uniform int ls_world;
uniform mat4 ls_mvp;
uniform vec3 ls_eye;
uniform float ls_lift;
uniform float ls_size;
void main() {
	if (ls_world == 1) {
		vec3 p = ls_pos + normalize(ls_eye - ls_pos) * ls_lift;
		gl_Position = ls_mvp * vec4(p, 1.0);
	} else {
		gl_Position = vec4(ls_pos.xy / ls_viewport * 2.0 - 1.0, 0.0, 1.0);
	}
	gl_PointSize = ls_size;
}
