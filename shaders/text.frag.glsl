#version 330 core
uniform sampler2D uAtlas; // R8 coverage, on texture unit 0
in vec2 vTexel;
in vec4 vColor;
layout(location = 0) out vec4 fragColor;
void main() {
	float coverage = texelFetch(uAtlas, ivec2(floor(vTexel)), 0).r;
	fragColor = vec4(vColor.rgb, vColor.a * coverage);
}
