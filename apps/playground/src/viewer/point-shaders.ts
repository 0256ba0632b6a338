/**
 * GLSL of the point materials. One vertex shader serves display and picking: with PICKING it writes the point id
 * (+1, in four bytes) instead of the colour, read from `pointIdHalves` for octree nodes (POINT_IDS) and from
 * `gl_VertexID` for a whole scan.
 */
export const POINT_VERTEX_SHADER = /* glsl */ `
attribute vec3 pointColor;
uniform float pointSize;
uniform float attenuationScale;
varying vec4 vColor;
#ifdef POINT_IDS
// The real point id of an octree node's vertex, as 16-bit halves (low, high): exact in float, unlike one float.
attribute vec2 pointIdHalves;
#endif
#ifdef PICKING
vec4 encodeIndex(int value) {
  // Point index + 1 in four bytes (0 = no point), little end first.
  int id = value + 1;
  return vec4(float(id & 255), float((id >> 8) & 255), float((id >> 16) & 255), float((id >> 24) & 255)) / 255.0;
}
#endif
void main() {
  vec4 viewPosition = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * viewPosition;
  gl_PointSize = attenuationScale > 0.0 ? max(1.0, pointSize * attenuationScale / -viewPosition.z) : pointSize;
#if defined(PICKING) && defined(POINT_IDS)
  vColor = encodeIndex(int(pointIdHalves.x) + int(pointIdHalves.y) * 65536);
#elif defined(PICKING)
  vColor = encodeIndex(gl_VertexID);
#else
  vColor = vec4(pointColor, 1.0);
#endif
}`;

export const POINT_FRAGMENT_SHADER = /* glsl */ `
varying vec4 vColor;
void main() {
  gl_FragColor = vColor;
}`;
