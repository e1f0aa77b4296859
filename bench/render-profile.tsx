import {loadWorldFile, DEFAULT_WORLD_FILE} from '../src/host/config/load-world.js';
import {measureRender} from './render-cost.js';
const config = loadWorldFile(DEFAULT_WORLD_FILE);
if (!config.ok) throw new Error(config.error);
const result = await measureRender(config.value, {frames: 200, columns: 120, rows: 40, tab: 'swiotlb'});
console.log(result.wallMsPerFrame);
