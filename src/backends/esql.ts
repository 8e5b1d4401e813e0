// Placeholder: replaced by the real backend before the first commit lands.
import type { Backend } from './context.js';
import { diag } from '../diagnostics.js';
export const esqlBackend: Backend = { id: 'esql', extension: 'txt', defaultProfile: '', render: () => ({ text: null, diagnostics: [diag('INT001', 'not built yet', null)] }) };
