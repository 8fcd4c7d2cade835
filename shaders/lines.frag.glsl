#version 330 core
uniform vec4 ls_color;
out vec4 ls_out;
void main() { ls_out = ls_color; }
