import {bigWorld} from './big-world.js';
import {measureRender} from './render-cost.js';
const result = await measureRender(bigWorld(200), {
  frames: 100,
  columns: 120,
  rows: 40,
  tab: 'devices',
  isSimulating: false,
});
console.log(result.wallMsPerFrame);
