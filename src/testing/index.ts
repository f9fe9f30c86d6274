export {
  createSimulator,
  SimulatedNetworkError,
  SIMULATOR_CREDIT_COSTS,
  type Simulator,
  type SimulatorLogEntry,
  type SimulatorOptions,
  type SimulatorReference,
  type SimulatorStats,
} from './simulator.js';
export { simulatorHandlers, type SimulatorHandlers, type SimulatorHandlersOptions } from './msw.js';
