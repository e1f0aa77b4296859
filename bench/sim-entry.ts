import {measureSimulationCost} from './simulation-cost.js';
const rounds = measureSimulationCost(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 60));
console.log(rounds.map((value) => (value * 1000).toFixed(2)).join(' '), 'best', (Math.min(...rounds) * 1000).toFixed(2));
