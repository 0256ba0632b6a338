import { createCylinder, createSphere } from './geometry-primitives.js';
import type { GeneratorRandom } from './seeded-random.js';
import type { SyntheticPart } from './scene-ray-caster.js';
import type { FurnitureKind, FurnitureTemplate } from './furniture-kinds.js';
import { box, FABRIC_COLORS, legs, METAL_COLORS, PAINT_COLORS, part, vary, WOOD_COLORS, type Color } from './furniture-parts.js';

export { FURNITURE_SEMANTIC_IDS, NYU40_IDS } from './furniture-kinds.js';
export type { FurnitureKind, FurnitureTemplate, SupportSurface } from './furniture-kinds.js';

function buildChair(random: GeneratorRandom): FurnitureTemplate {
  const office = random.chance(0.35);
  const width = random.uniform(0.42, 0.56);
  const depth = random.uniform(0.42, 0.55);
  const seatHeight = random.uniform(0.42, 0.5);
  const height = random.uniform(0.8, 1.05);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  const fabric = vary(random, random.pick(FABRIC_COLORS));
  const frame = vary(random, office ? random.pick(METAL_COLORS) : random.pick(WOOD_COLORS));
  const parts: SyntheticPart[] = [];
  const seatThickness = random.uniform(0.04, 0.08);
  parts.push(box([-halfWidth, -halfDepth, seatHeight - seatThickness], [halfWidth, halfDepth - 0.05, seatHeight], fabric));
  parts.push(box([-halfWidth, halfDepth - 0.05, seatHeight - seatThickness], [halfWidth, halfDepth, height], office ? fabric : frame));
  if (office) {
    parts.push(part(createCylinder([0, 0, (seatHeight - seatThickness) / 2 + 0.03], 0.025, seatHeight - seatThickness - 0.06), frame));
    for (let spoke = 0; spoke < 5; spoke++) {
      const angle = (spoke * 2 * Math.PI) / 5;
      const reach = Math.min(halfWidth, halfDepth) - 0.02;
      parts.push({
        primitive: {
          kind: 'box',
          center: [(Math.cos(angle) * reach) / 2, (Math.sin(angle) * reach) / 2, 0.03],
          halfSize: [reach / 2, 0.02, 0.03],
          yaw: angle,
        },
        color: frame,
      });
    }
  } else {
    parts.push(...legs(halfWidth, halfDepth, seatHeight - seatThickness, random.uniform(0.03, 0.05), 0.01, random.chance(0.4), frame));
  }
  if (random.chance(0.3)) {
    for (const sign of [-1, 1]) {
      parts.push(box([sign > 0 ? halfWidth - 0.04 : -halfWidth, -halfDepth + 0.05, seatHeight], [sign > 0 ? halfWidth : -halfWidth + 0.04, halfDepth - 0.05, seatHeight + 0.2], frame));
    }
  }
  return { kind: 'chair', halfWidth, halfDepth, height, parts, surfaces: [] };
}

function buildTable(random: GeneratorRandom, kind: 'table' | 'desk'): FurnitureTemplate {
  const width = kind === 'desk' ? random.uniform(1.0, 1.6) : random.uniform(0.7, 1.8);
  const depth = kind === 'desk' ? random.uniform(0.55, 0.8) : random.uniform(0.6, 1.0);
  const height = random.uniform(0.7, 0.78);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  const topColor = vary(random, random.pick([...WOOD_COLORS, ...PAINT_COLORS]));
  const legColor = vary(random, random.chance(0.5) ? random.pick(METAL_COLORS) : topColor);
  const topThickness = random.uniform(0.025, 0.05);
  const parts: SyntheticPart[] = [];
  const round = kind === 'table' && random.chance(0.3);
  if (round) {
    const radius = Math.min(halfWidth, halfDepth);
    parts.push(part(createCylinder([0, 0, height - topThickness / 2], radius, topThickness), topColor));
    parts.push(part(createCylinder([0, 0, (height - topThickness) / 2], 0.05, height - topThickness), legColor));
    parts.push(part(createCylinder([0, 0, 0.015], radius * 0.5, 0.03), legColor));
    return { kind, halfWidth: radius, halfDepth: radius, height, parts, surfaces: [{ height, centerX: 0, centerY: 0, halfWidth: radius * 0.7, halfDepth: radius * 0.7 }] };
  }
  parts.push(box([-halfWidth, -halfDepth, height - topThickness], [halfWidth, halfDepth, height], topColor));
  if (kind === 'desk' && random.chance(0.6)) {
    // Side panels, and a drawer block on one side.
    for (const sign of [-1, 1]) {
      parts.push(box([sign > 0 ? halfWidth - 0.03 : -halfWidth, -halfDepth + 0.02, 0], [sign > 0 ? halfWidth : -halfWidth + 0.03, halfDepth, height - topThickness], topColor));
    }
    if (random.chance(0.6)) {
      const drawerWidth = random.uniform(0.3, 0.42);
      parts.push(box([halfWidth - 0.03 - drawerWidth, -halfDepth + 0.04, 0.02], [halfWidth - 0.03, halfDepth, height - topThickness], vary(random, topColor, 20)));
    }
    parts.push(box([-halfWidth + 0.03, halfDepth - 0.02, height * 0.4], [halfWidth - 0.03, halfDepth, height - topThickness], topColor));
  } else {
    parts.push(...legs(halfWidth, halfDepth, height - topThickness, random.uniform(0.04, 0.07), random.uniform(0.01, 0.06), random.chance(0.3), legColor));
  }
  return {
    kind,
    halfWidth,
    halfDepth,
    height,
    parts,
    surfaces: [{ height, centerX: 0, centerY: 0, halfWidth: halfWidth - 0.02, halfDepth: halfDepth - 0.02 }],
  };
}

function buildSofa(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(1.4, 2.4);
  const depth = random.uniform(0.8, 1.0);
  const height = random.uniform(0.75, 0.95);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  const fabric = vary(random, random.pick(FABRIC_COLORS));
  const armWidth = random.uniform(0.12, 0.25);
  const seatHeight = random.uniform(0.4, 0.48);
  const backDepth = random.uniform(0.15, 0.25);
  const parts: SyntheticPart[] = [
    box([-halfWidth, -halfDepth, 0], [halfWidth, halfDepth, seatHeight - 0.12], vary(random, fabric, 8)),
    box([-halfWidth, halfDepth - backDepth, seatHeight - 0.12], [halfWidth, halfDepth, height], fabric),
  ];
  const armHeight = seatHeight + random.uniform(0.12, 0.25);
  parts.push(box([-halfWidth, -halfDepth, seatHeight - 0.12], [-halfWidth + armWidth, halfDepth - backDepth, armHeight], fabric));
  parts.push(box([halfWidth - armWidth, -halfDepth, seatHeight - 0.12], [halfWidth, halfDepth - backDepth, armHeight], fabric));
  const cushionCount = width > 1.8 ? 3 : 2;
  const inner = width - 2 * armWidth;
  for (let cushion = 0; cushion < cushionCount; cushion++) {
    const start = -halfWidth + armWidth + (cushion * inner) / cushionCount;
    parts.push(box([start + 0.005, -halfDepth + 0.02, seatHeight - 0.12], [start + inner / cushionCount - 0.005, halfDepth - backDepth, seatHeight], vary(random, fabric, 10)));
  }
  return { kind: 'sofa', halfWidth, halfDepth, height, parts, surfaces: [] };
}

function buildBed(random: GeneratorRandom): FurnitureTemplate {
  const width = random.pick([0.95, 1.4, 1.6, 1.8]) + random.uniform(-0.05, 0.05);
  const length = random.uniform(1.95, 2.15);
  const halfWidth = width / 2;
  const halfDepth = length / 2;
  const frameColor = vary(random, random.pick(WOOD_COLORS));
  const sheet = vary(random, random.pick([[235, 235, 230], [180, 200, 220], [200, 180, 170], ...FABRIC_COLORS] as Color[]));
  const frameHeight = random.uniform(0.2, 0.35);
  const mattressTop = frameHeight + random.uniform(0.18, 0.28);
  const headboardHeight = random.uniform(0.9, 1.2);
  const parts: SyntheticPart[] = [
    box([-halfWidth, -halfDepth, 0], [halfWidth, halfDepth - 0.06, frameHeight], frameColor),
    box([-halfWidth + 0.02, -halfDepth + 0.02, frameHeight], [halfWidth - 0.02, halfDepth - 0.06, mattressTop], sheet),
    box([-halfWidth, halfDepth - 0.06, 0], [halfWidth, halfDepth, headboardHeight], frameColor),
  ];
  // Pillows rest at the head end of the mattress (a separate object, placed as a supported prop).
  return {
    kind: 'bed',
    halfWidth,
    halfDepth,
    height: headboardHeight,
    parts,
    surfaces: [{ height: mattressTop, centerX: 0, centerY: halfDepth - 0.06 - 0.3, halfWidth: halfWidth - 0.04, halfDepth: 0.27 }],
  };
}

function buildCabinet(random: GeneratorRandom, kind: 'cabinet' | 'nightstand'): FurnitureTemplate {
  const width = kind === 'nightstand' ? random.uniform(0.4, 0.55) : random.uniform(0.6, 1.4);
  const depth = kind === 'nightstand' ? random.uniform(0.35, 0.45) : random.uniform(0.4, 0.6);
  const height = kind === 'nightstand' ? random.uniform(0.45, 0.6) : random.pick([random.uniform(0.7, 0.95), random.uniform(1.6, 2.0)]);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  const body = vary(random, random.pick([...WOOD_COLORS, ...PAINT_COLORS]));
  const handle = vary(random, random.pick(METAL_COLORS));
  const parts: SyntheticPart[] = [box([-halfWidth, -halfDepth + 0.02, 0.05], [halfWidth, halfDepth, height], body)];
  parts.push(box([-halfWidth + 0.02, -halfDepth + 0.03, 0], [halfWidth - 0.02, halfDepth - 0.02, 0.05], vary(random, body, 30)));
  const doorCount = width > 0.8 ? 2 : 1;
  const rows = height > 1.2 ? 2 : 1;
  for (let door = 0; door < doorCount; door++) {
    for (let row = 0; row < rows; row++) {
      const left = -halfWidth + 0.01 + (door * (width - 0.02)) / doorCount;
      const right = left + (width - 0.02) / doorCount - 0.005;
      const bottom = 0.06 + (row * (height - 0.08)) / rows;
      const top = bottom + (height - 0.08) / rows - 0.005;
      parts.push(box([left, -halfDepth + 0.005, bottom], [right, -halfDepth + 0.02, top], vary(random, body, 6)));
      const handleX = door === 0 && doorCount === 2 ? right - 0.05 : left + 0.04;
      const handleZ = row === rows - 1 && rows === 2 ? bottom + 0.1 : top - 0.1;
      parts.push(box([handleX - 0.01, -halfDepth, handleZ - 0.05], [handleX + 0.01, -halfDepth + 0.005, handleZ + 0.05], handle));
    }
  }
  return {
    kind,
    halfWidth,
    halfDepth,
    height,
    parts,
    surfaces: height < 1.3 ? [{ height, centerX: 0, centerY: 0.01, halfWidth: halfWidth - 0.02, halfDepth: halfDepth - 0.03 }] : [],
  };
}

function buildBookshelf(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(0.6, 1.2);
  const depth = random.uniform(0.28, 0.4);
  const height = random.uniform(1.0, 2.1);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  const wood = vary(random, random.pick([...WOOD_COLORS, ...PAINT_COLORS]));
  const panel = 0.02;
  const parts: SyntheticPart[] = [
    box([-halfWidth, -halfDepth, 0], [-halfWidth + panel, halfDepth, height], wood),
    box([halfWidth - panel, -halfDepth, 0], [halfWidth, halfDepth, height], wood),
    box([-halfWidth + panel, halfDepth - 0.01, 0], [halfWidth - panel, halfDepth, height], vary(random, wood, 20)),
  ];
  const shelfCount = Math.max(2, Math.round(height / random.uniform(0.3, 0.4)));
  for (let shelf = 0; shelf <= shelfCount; shelf++) {
    const z = Math.min(height - panel, (shelf * (height - panel)) / shelfCount);
    parts.push(box([-halfWidth + panel, -halfDepth, z], [halfWidth - panel, halfDepth - 0.01, z + panel], wood));
    // Rows of books as blocks standing on the shelf (part of the bookshelf instance, as in ScanNet's labels).
    if (shelf < shelfCount && random.chance(0.75)) {
      const gap = (height - panel) / shelfCount - panel;
      let x = -halfWidth + panel + 0.005;
      while (x < halfWidth - panel - 0.06) {
        const bookWidth = random.uniform(0.03, 0.12);
        const bookHeight = Math.min(gap - 0.01, random.uniform(0.15, 0.3));
        const end = Math.min(x + bookWidth, halfWidth - panel - 0.005);
        if (random.chance(0.8) && bookHeight > 0.05) {
          parts.push(box([x, -halfDepth + random.uniform(0.02, 0.06), z + panel], [end, halfDepth - 0.02, z + panel + bookHeight], vary(random, random.pick([...FABRIC_COLORS, ...PAINT_COLORS]), 30)));
        }
        x = end + 0.002;
      }
    }
  }
  return { kind: 'bookshelf', halfWidth, halfDepth, height, parts, surfaces: [] };
}

function buildLamp(random: GeneratorRandom, small: boolean): FurnitureTemplate {
  const height = small ? random.uniform(0.3, 0.55) : random.uniform(1.3, 1.75);
  const shadeRadius = small ? random.uniform(0.08, 0.14) : random.uniform(0.15, 0.25);
  const shadeHeight = small ? random.uniform(0.1, 0.18) : random.uniform(0.2, 0.32);
  const baseRadius = small ? random.uniform(0.06, 0.1) : random.uniform(0.12, 0.18);
  const metal = vary(random, random.pick(METAL_COLORS));
  const shade = vary(random, random.pick([[240, 230, 200], [220, 220, 220], [200, 170, 120]] as Color[]));
  const parts: SyntheticPart[] = [
    part(createCylinder([0, 0, 0.0125], baseRadius, 0.025), metal),
    part(createCylinder([0, 0, 0.025 + (height - shadeHeight - 0.025) / 2], 0.012, height - shadeHeight - 0.025), metal),
    part(createCylinder([0, 0, height - shadeHeight / 2], shadeRadius, shadeHeight), shade),
  ];
  const halfSize = Math.max(shadeRadius, baseRadius);
  return { kind: 'lamp', halfWidth: halfSize, halfDepth: halfSize, height, parts, surfaces: [] };
}

function buildMonitor(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(0.45, 0.7);
  const screenHeight = width * random.uniform(0.55, 0.65);
  const standHeight = random.uniform(0.08, 0.15);
  const halfWidth = width / 2;
  const halfDepth = 0.1;
  const dark = vary(random, [30, 30, 33], 8);
  const parts: SyntheticPart[] = [
    box([-0.1, -0.1, 0], [0.1, 0.1, 0.015], dark),
    box([-0.025, 0.02, 0.015], [0.025, 0.05, standHeight], dark),
    box([-halfWidth, 0.05, standHeight], [halfWidth, 0.08, standHeight + screenHeight], vary(random, [20, 22, 28], 5)),
  ];
  return { kind: 'monitor', halfWidth, halfDepth, height: standHeight + screenHeight, parts, surfaces: [] };
}

function buildBox(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(0.2, 0.6);
  const depth = random.uniform(0.2, 0.5);
  const height = random.uniform(0.15, 0.5);
  const color = vary(random, random.pick([[180, 140, 95], [200, 170, 120], [230, 230, 230], [90, 110, 160]] as Color[]));
  return {
    kind: 'box',
    halfWidth: width / 2,
    halfDepth: depth / 2,
    height,
    parts: [box([-width / 2, -depth / 2, 0], [width / 2, depth / 2, height], color)],
    surfaces: [{ height, centerX: 0, centerY: 0, halfWidth: width / 2, halfDepth: depth / 2 }],
  };
}

function buildPlant(random: GeneratorRandom): FurnitureTemplate {
  const potRadius = random.uniform(0.1, 0.22);
  const potHeight = random.uniform(0.18, 0.4);
  const crownRadius = random.uniform(potRadius * 1.2, potRadius * 2.4);
  const pot = vary(random, random.pick([[170, 90, 60], [220, 220, 215], [60, 60, 60]] as Color[]));
  const leaf = vary(random, [60, 120, 55], 20);
  const stemHeight = random.uniform(0.05, 0.4);
  const parts: SyntheticPart[] = [
    part(createCylinder([0, 0, potHeight / 2], potRadius, potHeight), pot),
    part(createCylinder([0, 0, potHeight + stemHeight / 2], 0.015, stemHeight), vary(random, [90, 70, 45])),
    part(createSphere([0, 0, potHeight + stemHeight + crownRadius], crownRadius), leaf),
  ];
  if (random.chance(0.5)) {
    const offset = crownRadius * 0.5;
    parts.push(part(createSphere([offset * 0.6, -offset * 0.6, potHeight + stemHeight + crownRadius * 1.3], crownRadius * 0.55), vary(random, leaf, 15)));
  }
  const halfSize = Math.max(potRadius, crownRadius);
  return { kind: 'plant', halfWidth: halfSize, halfDepth: halfSize, height: potHeight + stemHeight + 2 * crownRadius, parts, surfaces: [] };
}

function buildToilet(random: GeneratorRandom): FurnitureTemplate {
  const white = vary(random, [238, 238, 235], 6);
  const halfWidth = random.uniform(0.18, 0.22);
  const depth = random.uniform(0.62, 0.72);
  const halfDepth = depth / 2;
  const tankHeight = random.uniform(0.75, 0.85);
  const parts: SyntheticPart[] = [
    box([-halfWidth, halfDepth - 0.2, 0.35], [halfWidth, halfDepth, tankHeight], white),
    box([-0.12, -halfDepth + 0.12, 0], [0.12, halfDepth - 0.2, 0.3], white),
    part(createCylinder([0, -halfDepth + 0.2 + 0.02, 0.35], Math.min(halfWidth, 0.2), 0.1), white),
    box([-halfWidth + 0.02, -halfDepth + 0.22, 0.3], [halfWidth - 0.02, halfDepth - 0.2, 0.4], white),
  ];
  return { kind: 'toilet', halfWidth, halfDepth, height: tankHeight, parts, surfaces: [] };
}

function buildRefrigerator(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(0.55, 0.9);
  const depth = random.uniform(0.6, 0.75);
  const height = random.uniform(1.4, 1.9);
  const color = vary(random, random.pick([[235, 235, 235], [180, 180, 185], [40, 40, 42]] as Color[]), 5);
  const handle = vary(random, random.pick(METAL_COLORS));
  const split = height * random.uniform(0.55, 0.7);
  const halfWidth = width / 2;
  const halfDepth = depth / 2;
  return {
    kind: 'refrigerator',
    halfWidth,
    halfDepth,
    height,
    parts: [
      box([-halfWidth, -halfDepth + 0.04, 0], [halfWidth, halfDepth, height], color),
      box([-halfWidth, -halfDepth + 0.01, 0.02], [halfWidth, -halfDepth + 0.04, split - 0.005], color),
      box([-halfWidth, -halfDepth + 0.01, split + 0.005], [halfWidth, -halfDepth + 0.04, height - 0.01], color),
      box([halfWidth - 0.08, -halfDepth, split - 0.35], [halfWidth - 0.06, -halfDepth + 0.01, split - 0.05], handle),
    ],
    surfaces: [],
  };
}

function buildPillow(random: GeneratorRandom, maximumWidth: number): FurnitureTemplate {
  const width = Math.min(maximumWidth, random.uniform(0.45, 0.7));
  const depth = random.uniform(0.3, 0.45);
  const height = random.uniform(0.08, 0.15);
  const color = vary(random, random.pick([[240, 240, 235], [200, 210, 230], [220, 190, 180]] as Color[]));
  return {
    kind: 'pillow',
    halfWidth: width / 2,
    halfDepth: depth / 2,
    height,
    parts: [box([-width / 2, -depth / 2, 0], [width / 2, depth / 2, height], color)],
    surfaces: [],
  };
}

function buildPicture(random: GeneratorRandom): FurnitureTemplate {
  const width = random.uniform(0.3, 1.0);
  const height = random.uniform(0.25, 0.8);
  const frame = vary(random, random.pick([...WOOD_COLORS, ...METAL_COLORS]));
  const canvas = vary(random, random.pick([...FABRIC_COLORS, [220, 200, 150], [120, 160, 200]] as Color[]), 30);
  return {
    kind: 'picture',
    halfWidth: width / 2,
    halfDepth: 0.015,
    height,
    parts: [
      box([-width / 2, 0, 0], [width / 2, 0.015, height], frame),
      box([-width / 2 + 0.03, -0.015, 0.03], [width / 2 - 0.03, 0, height - 0.03], canvas),
    ],
    surfaces: [],
  };
}

/**
 * Builds a random piece of the given kind with parametric variation (sizes, leg styles, drawers, shelves,
 * cushions, colours).
 *
 * @param maximumWidth - upper bound on the width in metres, for pieces placed on a surface.
 */
export function buildFurniture(kind: FurnitureKind, random: GeneratorRandom, maximumWidth = Infinity): FurnitureTemplate {
  return FURNITURE_BUILDERS[kind](random, maximumWidth);
}

/** The builder of each kind; `maximumWidth` bounds the width of pieces placed on a surface. */
const FURNITURE_BUILDERS: Record<FurnitureKind, (random: GeneratorRandom, maximumWidth: number) => FurnitureTemplate> = {
  chair: buildChair, sofa: buildSofa, bed: buildBed, bookshelf: buildBookshelf, monitor: buildMonitor, box: buildBox,
  plant: buildPlant, toilet: buildToilet, refrigerator: buildRefrigerator, picture: buildPicture, pillow: buildPillow,
  table: (random) => buildTable(random, 'table'), desk: (random) => buildTable(random, 'desk'),
  cabinet: (random) => buildCabinet(random, 'cabinet'), nightstand: (random) => buildCabinet(random, 'nightstand'),
  lamp: (random, maximumWidth) => buildLamp(random, maximumWidth < 1),
};
