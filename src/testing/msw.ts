import { http, type RequestHandler } from 'msw';
import { createSimulator, SimulatedNetworkError, type Simulator, type SimulatorOptions } from './simulator.js';

/** Options of `simulatorHandlers`: the simulator's options plus where it answers. */
export interface SimulatorHandlersOptions extends SimulatorOptions {
  /** Only intercept requests to this origin (e.g. `https://pixeldojo.ai`); unset matches any origin. @default undefined */
  origin?: string;
}

/** MSW handlers that route to one simulator, which they expose as `.simulator`. */
export type SimulatorHandlers = RequestHandler[] & {
  /** The simulator the handlers route to: read its `stats`/`log`/`jobs()`, set `credits`, `reset()`. */
  readonly simulator: Simulator;
};

/**
 * MSW 2 handlers that answer every request under `{origin}{basePath}/` with one simulator
 * (a dropped connection becomes `Response.error()`, a network error in the page or test).
 * The array carries the simulator as `.simulator`.
 *
 * @example
 * // Standing in for the proxy: the browser sends no key, so do not ask for one.
 * const handlers = simulatorHandlers({ basePath: '/api/character', speed: 5, requireAuth: false })
 * const server = setupServer(...handlers)            // Node (msw/node)
 * // Storybook: parameters: { msw: { handlers } }
 * handlers.simulator.credits = 0                     // next submit answers 402
 */
export function simulatorHandlers(options: SimulatorHandlersOptions = {}): SimulatorHandlers {
  const simulator = createSimulator(options);
  const basePath = (options.basePath ?? '/api/v1').replace(/\/+$/, '');
  const origin = options.origin?.replace(/\/+$/, '');
  const pattern = `${origin ?? '*'}${basePath.startsWith('/') || basePath === '' ? basePath : `/${basePath}`}/*`;
  const handlers: RequestHandler[] = [
    http.all(pattern, async ({ request }) => {
      try {
        return await simulator(request);
      } catch (error) {
        if (error instanceof SimulatedNetworkError) return Response.error();
        throw error;
      }
    }),
  ];
  return Object.defineProperty(handlers, 'simulator', { value: simulator, enumerable: false }) as SimulatorHandlers;
}
