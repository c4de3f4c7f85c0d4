import { afterAll } from 'vitest';
import { closeBrowser } from './browser.ts';

// One Chromium per test file, launched by the first openPage and closed here.
afterAll(closeBrowser);
