// Everything here is imported the way an app that ran `npm install react-ideogram-character`
// imports it: the package entry, the CSS entry and the React-free core entry.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { CharacterGenerator } from 'react-ideogram-character';
import { createPollPolicy, DEFAULT_PARAMETERS, isHttpUrl } from 'react-ideogram-character/core';
import 'react-ideogram-character/styles.css';

// The core entry works on its own (no React): the test reads this attribute.
document.documentElement.dataset.coreEntry =
  isHttpUrl('https://example.com/a.jpg') && DEFAULT_PARAMETERS.aspect_ratio === '1:1' ? 'ok' : 'broken';

// The app's proxy runs the simulator with 1.5 s jobs (vite.config.mjs): poll for that, not for
// PixelDojo's 13–23 s.
const pollPolicy = createPollPolicy({ priors: { Default: [1200, 1500, 1800] } });

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing');
createRoot(root).render(
  <StrictMode>
    <main>
      <h1>Consumer app</h1>
      <CharacterGenerator endpoint="/api/character" generationOptions={{ pollPolicy, persist: false }} />
    </main>
  </StrictMode>,
);
