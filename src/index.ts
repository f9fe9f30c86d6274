'use client';
// The React entry. Core names are re-exported so that one import serves an app.
export * from './core/index.js';
export * from './react/index.js';
export * from './components/result-grid/index.js';
export * from './components/reference-uploader/index.js';
export * from './components/parameter-form/index.js';
export * from './components/character-generator/index.js';
